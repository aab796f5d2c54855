// The view designer: how the records of one entity are listed (see docs/views.md).
import { mountDesigner } from "../shared/boot";
import "./view.css";
import ViewDesigner from "./ViewDesigner.vue";

mountDesigner(ViewDesigner);

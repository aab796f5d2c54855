// The app designer: apps, their labels, icon, colour and menu (see docs/builder.md).
import { mountDesigner } from "../shared/boot";
import "./app.css";
import AppDesigner from "./AppDesigner.vue";

mountDesigner(AppDesigner);

// The decision table designer: the app's tables, and the grid editor of one (docs/rules.md).
import { mountDesigner } from "../shared/boot";
import "./dtable.css";
import TableDesigner from "./TableDesigner.vue";

mountDesigner(TableDesigner);

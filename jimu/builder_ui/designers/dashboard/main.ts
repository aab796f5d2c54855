// The dashboard designer: the app's dashboards, and the designer of one (docs/reports.md).
import { mountDesigner } from "../shared/boot";
import "./dashboard.css";
import DashboardDesigner from "./DashboardDesigner.vue";

mountDesigner(DashboardDesigner);

// The dashboard page: a published dashboard's charts, filters, cross-filter and drill-down
// (docs/reports.md, "Dashboards"). A viewer, not a designer: it mounts like one.
import { mountDesigner } from "../shared/boot";
import "./dashboard_view.css";
import DashboardView from "./DashboardView.vue";

mountDesigner(DashboardView);

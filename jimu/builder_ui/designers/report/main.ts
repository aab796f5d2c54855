// The chart designer: the app's reports, and the designer of one (docs/reports.md).
import { mountDesigner } from "../shared/boot";
import "./report.css";
import ReportDesigner from "./ReportDesigner.vue";

mountDesigner(ReportDesigner);

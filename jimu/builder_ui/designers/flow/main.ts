// The flow designer and the list of an app's flows (see docs/process.md, "The flow designer").
import { mountDesigner } from "../shared/boot";
import "./flow.css";
import FlowApp from "./FlowApp.vue";

mountDesigner(FlowApp);

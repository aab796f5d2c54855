// The organisation designer: the department tree, the users and who holds which role
// (see docs/org.md).
import { mountDesigner } from "../shared/boot";
import "./org.css";
import OrgDesigner from "./OrgDesigner.vue";

mountDesigner(OrgDesigner);

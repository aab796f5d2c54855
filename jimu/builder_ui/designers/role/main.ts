// The role editor: what a role of an app may do with each entity (see docs/access.md).
import { mountDesigner } from "../shared/boot";
import "./role.css";
import RoleDesigner from "./RoleDesigner.vue";

mountDesigner(RoleDesigner);

// The entity designer: a palette of field types, the fields on a canvas, a property panel
// (see docs/builder.md).
import { mountDesigner } from "../shared/boot";
import "./entity.css";
import EntityDesigner from "./EntityDesigner.vue";

mountDesigner(EntityDesigner);

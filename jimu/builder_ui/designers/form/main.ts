// The form designer: sections, columns and tabs of one form layout, fields dragged into place,
// and the live preview (see docs/builder.md, "Form layouts").
import { mountDesigner } from "../shared/boot";
import "./form.css";
import FormDesigner from "./FormDesigner.vue";

mountDesigner(FormDesigner);

// The Element Plus components of the condition builder and the role editor, imported one by
// one (with their styles) so the build keeps only these.
import "./condition.css";
import "element-plus/es/components/alert/style/css";
import "element-plus/es/components/button/style/css";
import "element-plus/es/components/checkbox/style/css";
import "element-plus/es/components/input/style/css";
import "element-plus/es/components/input-number/style/css";
import "element-plus/es/components/radio/style/css";
import "element-plus/es/components/radio-button/style/css";
import "element-plus/es/components/radio-group/style/css";
import "element-plus/es/components/select/style/css";
import "element-plus/es/components/tag/style/css";

export { ElAlert } from "element-plus/es/components/alert/index.mjs";
export { ElButton } from "element-plus/es/components/button/index.mjs";
export { ElCheckbox } from "element-plus/es/components/checkbox/index.mjs";
export { ElInput } from "element-plus/es/components/input/index.mjs";
export { ElInputNumber } from "element-plus/es/components/input-number/index.mjs";
export { ElRadioButton, ElRadioGroup } from "element-plus/es/components/radio/index.mjs";
export { ElOption, ElOptionGroup, ElSelect } from "element-plus/es/components/select/index.mjs";
export { ElTag } from "element-plus/es/components/tag/index.mjs";

// The rule designer and the list of an app's rules (see docs/rules.md, "The rule designer").
import { mountDesigner } from "../shared/boot";
import "./rule.css";
import RuleApp from "./RuleApp.vue";

mountDesigner(RuleApp);

// The flow designer's boot data and shared context (see FlowDesigner.vue).
import { inject, provide, type ComputedRef, type InjectionKey, type Ref } from "vue";
import type { Boot, Language } from "../shared/bootData";
import type { Vocabulary } from "../shared/condition/model";
import type { Compiled, FlowEdge, FlowNode, FlowTree, Label } from "./tree";

export interface FlowDocument {
  kind: "flow";
  name: string;
  label?: Label;
  entity?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
  [key: string]: unknown;
}
export interface EntityField {
  name: string;
  label: Label;
  type: string;
  fixed: boolean;
}
export interface Person {
  id: number;
  label: string;
}
export interface FlowBoot extends Boot {
  page: "list" | "designer";
  app: string;
  api: string;
  flow: string;
  list_url: string;
  designer_url: string;
  document: FlowDocument;
  version: number;
  status: string;
  published_version: number | null;
  entities: Record<string, Label>;
  /** Each entity's fields (for the field permissions of task nodes); `fixed`: nobody writes it. */
  fields: Record<string, EntityField[]>;
  users: Person[];
  roles: { name: string; label: Label }[];
  departments: Person[];
  calendars: { name: string; label: Label }[];
  flows: { name: string; label: Label; entity: string; version: number; status: string; published_version: number | null }[];
}
/** What the tree's components share: the tree, the selection, the compiled document (for
 * the pointers of errors), the condition vocabulary of the flow's entity. */
export interface FlowContext {
  tree: () => FlowTree;
  /** The flow's entity (its form), as the designer has it now. */
  entity: () => string;
  selected: Ref<string | null>;
  compiled: ComputedRef<Compiled>;
  readOnly: boolean;
  lang: Language;
  boot: FlowBoot;
  vocabulary: Ref<Vocabulary | null>;
}
const KEY: InjectionKey<FlowContext> = Symbol("flow designer");
export function provideFlow(context: FlowContext): FlowContext {
  provide(KEY, context);
  return context;
}
export function useFlow(): FlowContext {
  const context = inject(KEY);
  if (!context) throw new Error("no flow designer context");
  return context;
}
export function labelIn(label: Label | undefined, lang: Language, fallback: string): string {
  return (label && (label[lang] || label.en || label.zh)) || fallback;
}

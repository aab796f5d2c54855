// What every part of one condition builder shares (provided by ConditionBuilder.vue).
import { inject, type InjectionKey } from "vue";
import type { Language, Vocabulary } from "./model";

export interface BuilderContext {
  vocab: () => Vocabulary;
  lang: Language;
  /** The problems pinned to the node with this id. */
  problemsOf: (id: string) => string[];
}

export const BUILDER: InjectionKey<BuilderContext> = Symbol("condition builder");

export function useBuilder(): BuilderContext {
  const context = inject(BUILDER);
  if (!context) throw new Error("a condition builder part outside ConditionBuilder");
  return context;
}

// What every editor of the rule designer shares: the rule vocabulary, each entity's fields
// (the condition builder's vocabulary, loaded once per entity), the language and the record
// the test run and the template previews use.
import { inject, provide, reactive, type InjectionKey, type Ref } from "vue";
import { callApi } from "../shared/api";
import type { ConditionField, Language, Vocabulary } from "../shared/condition/model";
import type { RuleDocument, RuleVocabulary } from "./types";

export interface RuleContext {
  vocabulary: RuleVocabulary;
  doc: RuleDocument;
  lang: Language;
  api: string;
  csrf: string;
  /** The record chosen in the test run (also the template previews' record). */
  sampleRecord: Ref<number | null>;
  /** The condition vocabulary of an entity (reactive: filled when loaded). */
  fieldsOf(entity: string): ConditionField[];
  conditionVocabulary(entity: string): Vocabulary | null;
}

const KEY: InjectionKey<RuleContext> = Symbol("rule designer");

export function provideRuleContext(
  base: Omit<RuleContext, "fieldsOf" | "conditionVocabulary">,
): RuleContext {
  const loaded = reactive<Record<string, Vocabulary | null>>({});
  function conditionVocabulary(entity: string): Vocabulary | null {
    if (!entity) return null;
    if (!(entity in loaded)) {
      loaded[entity] = null;
      callApi<Vocabulary>("GET", `${base.api}/entities/${entity}/conditions/vocabulary`, base.csrf).then(
        (vocab) => (loaded[entity] = vocab),
        () => undefined,
      );
    }
    return loaded[entity];
  }
  const context: RuleContext = {
    // A getter: the designer fills the vocabulary once it is loaded.
    get vocabulary() {
      return base.vocabulary;
    },
    doc: base.doc,
    lang: base.lang,
    api: base.api,
    csrf: base.csrf,
    sampleRecord: base.sampleRecord,
    conditionVocabulary,
    fieldsOf: (entity) => conditionVocabulary(entity)?.fields ?? [],
  };
  provide(KEY, context);
  return context;
}

export function useRuleContext(): RuleContext {
  const context = inject(KEY);
  if (!context) throw new Error("no rule designer context");
  return context;
}

/** Whether a field fits an editor kind "field" or "field:<type>" (a field type or kind). */
export function fieldFits(field: ConditionField, kind: string): boolean {
  const wanted = kind.split(":")[1];
  if (!wanted) return true;
  if (wanted === "date") return field.kind === "date" || field.kind === "datetime";
  return field.type === wanted || field.kind === wanted;
}

/** The entity a "values"/"formulas" editor writes: the action's `entity`, else the target of
 * its `link`, else the rule's entity. */
export function targetEntity(context: RuleContext, settings: Record<string, unknown>): string {
  if (typeof settings.entity === "string" && settings.entity) return settings.entity;
  if (typeof settings.link === "string" && settings.link) {
    const link = context.fieldsOf(context.doc.entity).find((f) => f.name === settings.link);
    if (link?.target) return link.target;
  }
  return context.doc.entity;
}

// The rule document (jimu/engines/rule/document.py), the vocabulary the server serves
// (GET /api/apps/{app}/rules/vocabulary) and what the pages boot with.
import type { Boot } from "../shared/bootData";
import type { Json, Label } from "../shared/condition/model";

export type Settings = Record<string, Json>;

export interface RuleAction {
  type: string;
  [key: string]: Json;
}

export interface RuleDocument {
  kind: "rule";
  name: string;
  label?: { en?: string; zh?: string };
  entity: string;
  trigger: { on: string; [key: string]: Json };
  condition?: Json;
  actions: RuleAction[];
  [key: string]: unknown;
}

/** One trigger or action type: its settings' JSON Schema and the editor of each. */
export interface SettingsSpec {
  label: Label;
  properties: Record<string, Record<string, Json>>;
  required: string[];
  editors: Record<string, string>;
}

export interface TriggerSpec extends SettingsSpec {
  on: string;
}

export interface ActionSpec extends SettingsSpec {
  type: string;
}

export interface Named {
  name: string;
  label: Label;
}

export interface Person {
  id: number;
  label: string;
  username?: string;
  parent_id?: number | null;
}

export interface RuleVocabulary {
  triggers: TriggerSpec[];
  actions: ActionSpec[];
  entities: Named[];
  roles: Named[];
  users: Person[];
  departments: Person[];
}

export interface RuleBoot extends Boot {
  page: "list" | "designer";
  app: string;
  api: string;
  document: RuleDocument;
  version: number;
  status: string;
  published_version: number | null;
  rule: string;
  list_url: string;
  designer_url: string;
  records_url: string;
  is_admin: boolean;
  entities: Record<string, Label>;
}

export function labelIn(label: Partial<Label> | undefined | null, lang: "en" | "zh", fallback: string): string {
  return (label && (label[lang] || label.en || label.zh)) || fallback;
}

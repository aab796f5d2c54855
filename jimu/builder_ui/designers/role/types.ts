// The role document (jimu/metadata/roles.py) and what the role editor's page boots with.
import type { Boot } from "../shared/bootData";
import type { Json } from "../shared/condition/model";

export type ScopeItem = string | { condition: Json };
export type Scope = ScopeItem | ScopeItem[];

export interface EntityRules {
  actions: string[];
  scope?: Scope;
  write_scope?: Scope;
  assign_to?: string;
  fields?: Record<string, string>;
}

export interface RoleDocument {
  kind: "role";
  name: string;
  label: { en?: string; zh?: string };
  description?: { en?: string; zh?: string };
  app_admin?: string[];
  entities?: Record<string, EntityRules>;
  [key: string]: unknown;
}

export interface Choice {
  value: string;
  label: string;
}

export interface EntityChoice {
  name: string;
  label: string;
  fields: { name: string; label: string; type: string }[];
}

export interface RoleBoot extends Boot {
  app: string;
  role: string;
  document: RoleDocument;
  version: number;
  status: string;
  published_version: number | null;
  entities: EntityChoice[];
  actions: Choice[];
  scope_kinds: Choice[];
  assign_kinds: Choice[];
  design_rights: Choice[];
  field_rules: string[];
  api: string;
  roles_url: string;
}

/** A scope as its list of items (a single item or a list of them, ORed). */
export function scopeItems(scope: Scope | undefined): ScopeItem[] {
  if (scope === undefined) return [];
  return Array.isArray(scope) ? scope : [scope];
}

/** Items back as a scope: one item alone, several as a list, none as no key. */
export function scopeOf(items: ScopeItem[]): Scope | undefined {
  if (!items.length) return undefined;
  return items.length === 1 ? items[0] : items;
}

// The entity document as the entity designer edits it (jimu/metadata/schemas.py has the schema)
// and the palette the page serves (jimu/engines/form/property_editors.py).
export type Label = Record<string, string>;

export interface FieldDoc {
  name: string;
  type: string;
  label?: Label;
  required?: boolean;
  unique?: boolean;
  help?: Label;
  [key: string]: unknown;
}

export interface EntityDocument {
  kind: "entity";
  name: string;
  label: Label;
  fields: FieldDoc[];
  [key: string]: unknown;
}

export interface PropertyEditor {
  key: string;
  editor: string;
  required: boolean;
  choices?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  of?: string;
  through?: string;
  types?: string[];
  /** A link field of the entity `of` names that points back to this entity. */
  back?: boolean;
  /** The value types (as formulas know them) a field may have, by the value of a param
   * (the rollup's field: by its function). */
  value_types?: Record<string, string[]>;
}

export interface FieldTypeInfo {
  name: string;
  label: Label;
  widget: string;
  computed: boolean;
  editors: PropertyEditor[];
}

export interface Named {
  name: string;
  label: string;
}

export interface DepartmentChoice {
  id: number;
  path: string;
}

export interface ReturnReason {
  value: string;
  label: Record<string, string>;
}

/** The entity's public pool (docs/pool.md; jimu/metadata/pool.py has the schema). */
export interface PoolDoc {
  enabled: boolean;
  owner_field?: string;
  claimers?: { roles?: string[]; departments?: number[] };
  limits?: { claims_per_day?: number; max_held?: number; open_condition?: Record<string, unknown> };
  returns?: { reasons?: ReturnReason[]; reason_required?: boolean; clear_fields?: string[] };
  previous_owner_may_claim?: boolean;
}

/** A field of an entity as the pickers show it (the page's `schemas`). */
export interface SchemaField {
  name: string;
  type: string;
  label: Label;
  target?: string;
  many?: boolean;
  /** Whether it is a column (a sub-table or a many-link is not): what a lookup can copy. */
  stored: boolean;
  /** What aggregates see in it: number, text, boolean, date, datetime, any, or reference
   * (an id of a record, user or department). */
  value_type: string;
}

/** An entity of the app at its newest version (a draft included). */
export interface EntitySchema {
  name: string;
  label: Label;
  published: boolean;
  fields: SchemaField[];
}

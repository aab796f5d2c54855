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

// The decision table document (jimu/engines/rule/decision_table.py) and the pages' boot data.
import type { Boot } from "../shared/bootData";
import type { Json } from "../shared/condition/model";

export interface TableInput {
  field?: string;
  name?: string;
  formula?: string;
  type?: string;
  label?: { en?: string; zh?: string };
}

export interface TableOutput {
  name: string;
  type: string;
  label?: { en?: string; zh?: string };
}

/** A literal, null (no value) or a formula over the record. */
export type OutputValue = Json | { formula: string };

export interface TableRow {
  cells: Json[];
  outputs: OutputValue[];
  note?: string;
}

export interface DecisionTable {
  kind: "decision_table";
  name: string;
  label?: { en?: string; zh?: string };
  entity: string;
  inputs: TableInput[];
  outputs: TableOutput[];
  hit_policy: "first" | "unique" | "collect";
  aggregate?: "sum" | "min" | "max" | "count";
  rows: TableRow[];
  [key: string]: unknown;
}

export interface EntityChoice {
  name: string;
  label: string;
  title_field: string;
}

export interface TableSummary {
  name: string;
  label: string;
  entity: string;
  hit_policy: string;
  rows: number;
  status: string;
  version: number;
}

export interface ListBoot extends Boot {
  mode: "list";
  app: string;
  tables: TableSummary[];
  entities: EntityChoice[];
  designer_url: string;
}

export interface EditBoot extends Boot {
  mode: "edit";
  app: string;
  name: string;
  api: string;
  document: DecisionTable;
  version: number;
  status: string;
  published_version: number | null;
  entities: EntityChoice[];
  list_url: string;
  hit_policies: string[];
  aggregates: string[];
  output_types: string[];
  /** Cell kinds per input type ("choice": a select field). */
  cell_kinds: Record<string, string[]>;
  all_cell_kinds: string[];
}

export interface Problem {
  pointer: string;
  message: string;
  code?: string;
}

export interface TryResult {
  record_id: number;
  inputs?: Record<string, Json>;
  matched?: number[];
  used?: number[];
  outputs?: Record<string, Json>;
  warnings: Problem[];
  error?: string;
  error_rows?: string[];
}

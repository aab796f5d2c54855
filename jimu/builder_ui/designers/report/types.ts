// The report document (docs/reports.md, jimu/engines/report/schema.py) and what the chart
// designer's pages boot with.
import type { Boot } from "../shared/bootData";
import type { VisualSpec, VisualType } from "../shared/charts/types";
import type { ConditionField, Json } from "../shared/condition/model";

export type Label = { en?: string; zh?: string };

export interface Dimension {
  field: string;
  name?: string;
  label?: Label;
  grain?: string;
  bin?: { width: number; offset?: number };
}

export interface Measure {
  name: string;
  label?: Label;
  agg?: string;
  field?: string;
  format?: "number" | "percent" | "money" | "integer";
  [key: string]: unknown;
}

export interface DateRange {
  field: string;
  range: string;
  n?: number;
  from?: string;
  to?: string;
}

export interface ReportDocument {
  kind: "report";
  name: string;
  label?: Label;
  dataset: { entity: string; [key: string]: unknown };
  dimensions?: Dimension[];
  measures: Measure[];
  filter?: Json;
  date_ranges?: DateRange[];
  sort?: { by: string; desc?: boolean }[];
  limit?: number;
  others?: boolean;
  visual: VisualSpec & { type: VisualType };
  [key: string]: unknown;
}

/** A field the dataset offers: the entity's own, or one reached through a link (`account.industry`). */
export interface DatasetField extends ConditionField {
  /** The link field it is reached through (linked fields only). */
  via?: string;
}

export interface Named {
  name: string;
  label: string;
}

export interface ListBoot extends Boot {
  mode: "list";
  app: string;
  reports: { name: string; label: string; entity: string; visual: string; status: string; version: number }[];
  entities: Named[];
  designer_url: string;
  dashboards_url?: string;
}

export interface EditBoot extends Boot {
  mode: "edit";
  document: ReportDocument;
  version: number;
  status: string;
  published_version: number | null;
  app: string;
  name: string;
  api: string;
  entities: Named[];
  list_url: string;
  aggregates: string[];
  grains: string[];
  ranges: string[];
  visuals: VisualType[];
  formats: string[];
}

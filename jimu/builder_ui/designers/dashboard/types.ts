// The dashboard document (docs/reports.md "Dashboards", jimu/engines/report/dashboard.py) and
// what the dashboard designer's pages boot with.
import type { Boot } from "../shared/bootData";
import type { VisualType } from "../shared/charts/types";

export type Label = { en?: string; zh?: string };
export type Lang = "en" | "zh";
export type FilterType = "date_range" | "select" | "user" | "department";

export interface DateDefault {
  range: string;
  n?: number;
  from?: string;
  to?: string;
}

export interface DashboardFilter {
  name: string;
  label?: Label;
  type: FilterType;
  field: string;
  default?: DateDefault | unknown[];
}

export interface DashboardItem {
  id: string;
  report: string;
  title?: Label;
  x: number;
  y: number;
  w: number;
  h: number;
  /** filter name → the field of this chart it applies to, or false: not to this chart. */
  filters?: Record<string, string | false>;
}

export interface DashboardDocument {
  kind: "dashboard";
  name: string;
  label?: Label;
  description?: Label;
  filters?: DashboardFilter[];
  items: DashboardItem[];
  cross_filter?: boolean;
  [key: string]: unknown;
}

export interface Option {
  value: unknown;
  label: { en: string; zh: string };
}

/** A field of a chart's entity that a dashboard filter can apply to. */
export interface FilterField {
  name: string;
  type: string;
  label: { en: string; zh: string };
  options?: Option[];
}

/** A published chart of the app (the palette). */
export interface PaletteChart {
  name: string;
  label: { en: string; zh: string };
  visual: VisualType;
  entity: string;
  spec: Record<string, unknown>;
}

export interface ListBoot extends Boot {
  mode: "list";
  app: string;
  dashboards: { name: string; label: string; charts: number; status: string; version: number }[];
  designer_url: string;
  reports_url: string;
}

export interface EditBoot extends Boot {
  mode: "edit";
  document: DashboardDocument;
  version: number;
  status: string;
  published_version: number | null;
  app: string;
  name: string;
  api: string;
  charts: PaletteChart[];
  /** entity → its filterable fields. */
  fields: Record<string, FilterField[]>;
  list_url: string;
  reports_url: string;
  filter_types: Record<FilterType, string[]>;
  ranges: string[];
  columns: number;
  max_items: number;
}

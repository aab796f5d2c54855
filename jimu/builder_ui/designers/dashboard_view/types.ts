// What the dashboard page hands its island (jimu/builder_ui/pages/records/dashboard_page.py).
import type { Boot } from "../shared/bootData";
import type { ReportResult, VisualSpec } from "../shared/charts/types";

export interface Choice {
  value: string | number;
  label: string;
}

export interface DateRange {
  range: string;
  n?: number;
  from?: string;
  to?: string;
}

export type FilterValue = DateRange | (string | number)[] | null;

export interface FilterDef {
  name: string;
  label: string;
  type: "date_range" | "select" | "user" | "department";
  field: string;
  default?: FilterValue;
  /** select: the field's options; user / department: the people and departments. */
  choices: Choice[];
}

export interface ItemDef {
  id: string;
  report: string;
  title: string;
  x: number;
  y: number;
  w: number;
  h: number;
  visual: VisualSpec;
  /** Measures whose values add up (pivot totals). */
  additive: string[];
  /** Whether its cells lead to records (funnels, cohorts and attribution do not). */
  drillable: boolean;
}

export interface ViewBoot extends Boot {
  app: string;
  name: string;
  label: string;
  run_url: string;
  drill_url: string;
  filters: FilterDef[];
  items: ItemDef[];
  ranges: string[];
  cross_filter: boolean;
}

export interface Cross {
  item: string;
  field: string;
  value: string | number | boolean | null;
  /** A chart with two dimensions: the clicked series' field and value too. */
  series?: { field: string; value: string | number | boolean | null };
}

export interface ItemAnswer {
  id: string;
  report: string;
  result?: ReportResult;
  error?: { status: number; detail: string; errors: { pointer: string; message: string }[] };
  cross_filtered?: boolean;
}

export interface RunAnswer {
  name: string;
  items: ItemAnswer[];
}

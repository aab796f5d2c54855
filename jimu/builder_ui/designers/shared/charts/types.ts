// A report result as the run/data API answers it (docs/reports.md, "Results") and the visual
// settings of a chart spec the renderer reads.
export type Lang = "en" | "zh";
export type Label = { en?: string; zh?: string };

export interface ColumnOption {
  value: string;
  label?: Label;
  color?: string;
}

export interface ResultColumn {
  name: string;
  role: "dimension" | "measure" | "others" | "title";
  field?: string;
  type?: string;
  grain?: string;
  label?: Label;
  format?: "number" | "percent" | "money" | "integer";
  options?: ColumnOption[];
  /** A link or user dimension: the entity of its ids ("user" for people). */
  target?: string;
  /** A link or user dimension: the name of the column holding each id's title. */
  title?: string;
  /** A title column: the dimension it names. */
  of?: string;
  /** false: a click on its values names no value of `field` (a funnel carried on past it). */
  crossable?: boolean;
}

export type Cell = string | number | boolean | null;
export type ResultRow = Record<string, Cell>;

export interface ReportResult {
  entity?: string;
  visual?: { type?: string };
  time_zone?: string;
  columns: ResultColumn[];
  rows: ResultRow[];
}

export const VISUALS = [
  "number",
  "kpi",
  "table",
  "pivot",
  "bar",
  "stacked_bar",
  "line",
  "area",
  "combo",
  "pie",
  "donut",
  "funnel",
  "scatter",
  "heatmap",
  "china_map",
] as const;
export type VisualType = (typeof VISUALS)[number];

/** The spec's `visual`: its type and the settings the renderer reads (all optional). */
export interface VisualSpec {
  type: VisualType;
  /** Series colours by measure name (or, for a second dimension, by its value). */
  colors?: Record<string, string>;
  /** combo: the measures drawn as lines on the right axis (default: all but the first). */
  lines?: string[];
  /** pivot: subtotals per first row dimension and totals (default true). */
  subtotals?: boolean;
  /** money format: the ISO currency (default CNY). */
  currency?: string;
  /** bar charts: horizontal bars. */
  horizontal?: boolean;
  /** number, kpi: the measure the card shows (default the first). */
  value?: string;
}

/** The words the renderer writes (from the page's i18n messages). */
export interface ChartWords {
  empty: string;
  others: string;
  total: string;
  subtotal: string;
  yes: string;
  no: string;
  no_rows: string;
  map_note: string;
  rank: string;
  previous: string;
  target: string;
}

/** A click on a chart: the data item's index in its series, the series' index, its name. */
export interface ChartPick {
  dataIndex: number;
  seriesIndex: number;
  name: string;
}

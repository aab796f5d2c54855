// The dashboard's state in its URL (so a view can be shared) and what a click on a chart means.
// Pure: no DOM, no Vue.
import type { ChartPick, ResultColumn, ResultRow, ReportResult } from "../shared/charts/types";
import type { Cross, DateRange, FilterDef, FilterValue } from "./types";

/** A cleared filter in the URL (overrides the filter's default). */
export const ALL = "all";
const RESERVED = new Set(["lang", "cross", "theme"]);
const PER_DAY_RANGES = new Set(["last_n_days", "previous_n_days"]);
/** Dimensions whose values are not a field's values (periods, bins): no cross-filter. */
const NOT_CROSSABLE = new Set(["period", "bin", "date", "datetime"]);

export function encodeRange(range: DateRange): string {
  if (range.range === "between") return `between:${range.from ?? ""}:${range.to ?? ""}`;
  if (PER_DAY_RANGES.has(range.range)) return `${range.range}:${range.n ?? 30}`;
  return range.range;
}

export function decodeRange(text: string, ranges: string[]): DateRange | null {
  const [range, a, b] = text.split(":");
  if (!ranges.includes(range)) return null;
  if (range === "between") return a && b ? { range, from: a, to: b } : null;
  if (PER_DAY_RANGES.has(range)) {
    const n = Number(a);
    return Number.isInteger(n) && n >= 1 && n <= 3660 ? { range, n } : null;
  }
  return { range };
}

/** The filter values the URL holds: a filter absent from it keeps its default (undefined). */
export function readFilters(search: string, filters: FilterDef[], ranges: string[]): Record<string, FilterValue> {
  const params = new URLSearchParams(search);
  const values: Record<string, FilterValue> = {};
  for (const filter of filters) {
    if (RESERVED.has(filter.name)) continue;
    const text = params.get(filter.name);
    if (text === null) continue;
    if (text === ALL) {
      values[filter.name] = null;
    } else if (filter.type === "date_range") {
      const range = decodeRange(text, ranges);
      if (range) values[filter.name] = range;
    } else {
      const parts = text.split(",").filter((part) => part !== "");
      values[filter.name] = filter.type === "select" ? parts : parts.map(Number).filter(Number.isInteger);
    }
  }
  return values;
}

export function readCross(search: string): Cross | null {
  const text = new URLSearchParams(search).get("cross");
  if (!text) return null;
  try {
    const found = JSON.parse(text) as Cross;
    return typeof found.item === "string" && typeof found.field === "string" ? found : null;
  } catch {
    return null;
  }
}

/** The query string of the state (other parameters of `search`, such as lang, kept). */
export function writeState(search: string, filters: FilterDef[], values: Record<string, FilterValue>, cross: Cross | null): string {
  const params = new URLSearchParams(search);
  for (const filter of filters) {
    if (RESERVED.has(filter.name)) continue;
    params.delete(filter.name);
    if (!(filter.name in values)) continue;
    const value = values[filter.name];
    if (value === null || (Array.isArray(value) && value.length === 0)) params.set(filter.name, ALL);
    else if (Array.isArray(value)) params.set(filter.name, value.join(","));
    else params.set(filter.name, encodeRange(value));
  }
  params.delete("cross");
  if (cross) params.set("cross", JSON.stringify(cross));
  const text = params.toString();
  return text ? `?${text}` : "";
}

function key(row: ResultRow, column: ResultColumn, first: boolean): string {
  if (first && row.others === true) return "\u0000others";
  return JSON.stringify(row[column.name] ?? null);
}

function distinctKeys(rows: ResultRow[], column: ResultColumn, first: boolean): string[] {
  return [...new Set(rows.map((row) => key(row, column, first)))];
}

/** The result row a click on a chart denotes, or null (an axis, a heat map cell...). */
export function rowOfPick(result: ReportResult, visualType: string, pick: ChartPick): ResultRow | null {
  const dimensions = result.columns.filter((c) => c.role === "dimension");
  const rows = result.rows;
  if (pick.dataIndex < 0 || dimensions.length === 0) return null;
  if (["pie", "donut", "funnel"].includes(visualType)) return rows[pick.dataIndex] ?? null;
  if (!["bar", "stacked_bar", "line", "area", "combo"].includes(visualType)) return null;
  const [first, second] = dimensions;
  const category = distinctKeys(rows, first, true)[pick.dataIndex];
  if (category === undefined) return null;
  if (second && visualType !== "combo") {
    const series = distinctKeys(rows, second, false)[pick.seriesIndex];
    return rows.find((row) => key(row, first, true) === category && key(row, second, false) === series) ?? null;
  }
  return rows.find((row) => key(row, first, true) === category) ?? null;
}

/** The drill-down cell of a row: its dimensions' values. */
export function cellOf(result: ReportResult, row: ResultRow): Record<string, unknown> {
  const cell: Record<string, unknown> = {};
  for (const column of result.columns) if (column.role === "dimension") cell[column.name] = row[column.name] ?? null;
  if (row.others === true) cell.others = true;
  return cell;
}

/** The (field, value) a dimension of a clicked row filters by, when it is a field's own value
 * (not a period or bin) and not empty. */
function crossPart(column: ResultColumn, row: ResultRow): { field: string; value: string | number | boolean } | null {
  if (!column.field || column.crossable === false || NOT_CROSSABLE.has(column.type ?? "")) return null;
  const value = row[column.name];
  if (value === null || value === undefined) return null;
  return { field: column.field, value };
}

/** The cross-filter a click on `row` of item `item` sets: the field and value of its category
 * (the first dimension) and, on a chart with two, of its series (the second), each when it is
 * a field's own value (not a period or bin); `series` holds the second when both are. */
export function crossOf(item: string, result: ReportResult, row: ResultRow): Cross | null {
  if (row.others === true) return null;
  const parts = result.columns
    .filter((c) => c.role === "dimension")
    .slice(0, 2)
    .map((column) => crossPart(column, row))
    .filter((part): part is { field: string; value: string | number | boolean } => part !== null);
  const [first, second] = parts;
  if (!first) return null;
  return second && second.field !== first.field ? { item, ...first, series: second } : { item, ...first };
}

/** Whether two cross-filters denote the same click (a second click clears it). */
export function sameCross(a: Cross | null, b: Cross): boolean {
  if (!a || a.item !== b.item || a.field !== b.field || a.value !== b.value) return false;
  return (a.series?.field ?? null) === (b.series?.field ?? null) && (a.series?.value ?? null) === (b.series?.value ?? null);
}

/** How one part of a cross-filter reads: the source chart's dimension column of `field` (for
 * its label) and the value as the chart shows it: the row's title (a linked record, a user)
 * when the result has one, else `shown(column, value)` (an option's label...). */
export function crossPartText(
  result: ReportResult | undefined,
  field: string,
  value: Cross["value"],
  shown: (column: ResultColumn, value: Cross["value"]) => string,
): { column: ResultColumn | undefined; text: string } {
  const column = result?.columns.find((c) => c.role === "dimension" && c.field === field);
  if (!column) return { column, text: String(value) };
  const row = column.title ? result?.rows.find((r) => r[column.name] === value) : undefined;
  const title = row && column.title ? row[column.title] : null;
  return { column, text: typeof title === "string" && title ? title : shown(column, value) };
}

// Turning a dragged field into a dimension, a measure or a filter row, and the names the
// result rows are keyed by (the same defaults as the report engine's).
import type { Json } from "../shared/condition/model";
import type { DatasetField, Dimension, Measure } from "./types";

const DATES = new Set(["date", "datetime"]);

/** A dimension's key in the result rows: its name, else its path with "." written "_". */
export function dimensionName(dimension: Dimension): string {
  return dimension.name || dimension.field.replace(/\./g, "_");
}

export function newDimension(field: DatasetField): Dimension {
  const dimension: Dimension = { field: field.name };
  if (DATES.has(field.kind)) dimension.grain = "month";
  return dimension;
}

/** sum of an own number field, else a count of the records where the field is set. Linked
 * numbers are counted too: their sum would count a linked record once per record linking it. */
export function newMeasure(field: DatasetField, taken: string[]): Measure {
  const agg = field.kind === "number" && !field.via && !field.system ? "sum" : "count";
  return { name: uniqueName(`${agg}_${field.name.replace(/\./g, "_")}`, taken), agg, field: field.name };
}

export function uniqueName(wanted: string, taken: string[]): string {
  const base = wanted.slice(0, 56);
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i += 1) if (!taken.includes(`${base}_${i}`)) return `${base}_${i}`;
}

/** The filter with a new "is not empty" row on `field` (the builder then edits it). */
export function withFilterRow(filter: Json | undefined, field: string): Json {
  const row: Json = { is_not_blank: [{ var: field }] };
  const current = filter as Record<string, Json[]> | undefined;
  if (current && typeof current === "object" && Array.isArray(current.and)) return { and: [...current.and, row] };
  if (current && typeof current === "object" && Object.keys(current).length) return { and: [current as Json, row] };
  return { and: [row] };
}

/** Measures that add up across groups (the pivot's totals). */
export function additive(measures: Measure[]): string[] {
  return measures.filter((m) => m.agg === "count" || m.agg === "sum").map((m) => m.name);
}

/** The document as the run API takes it: no `kind`/`name` needed, an empty filter dropped. */
export function runnable<T extends Record<string, unknown>>(doc: T): Record<string, unknown> {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(doc));
  delete copy.kind;
  delete copy.name;
  delete copy.label;
  delete copy.description;
  return copy;
}

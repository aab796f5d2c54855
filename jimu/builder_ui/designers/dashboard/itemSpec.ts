// The spec a placed chart is drawn with while the dashboard is laid out: the chart's published
// spec with each dashboard filter's DEFAULT applied to the field it maps to, as the dashboard
// page applies it (the same rules as chart_spec in jimu/engines/report/dashboard.py), and the
// fields a filter can take. Pure.
import type { DashboardDocument, DashboardFilter, DashboardItem, FilterField, PaletteChart } from "./types";

/** The field of `item`'s chart that `filter` applies to, or null (opted out, or no field of
 * that name and a fitting type). */
export function targetField(
  item: DashboardItem,
  filter: DashboardFilter,
  fields: FilterField[],
  fitting: string[],
): string | null {
  const mapped = item.filters?.[filter.name] ?? filter.field;
  if (mapped === false) return null;
  const field = fields.find((f) => f.name === mapped);
  return field && fitting.includes(field.type) ? field.name : null;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

/** The spec to run for `item`: its chart's spec, the filters' defaults applied. */
export function itemSpec(
  doc: DashboardDocument,
  item: DashboardItem,
  chart: PaletteChart,
  fields: FilterField[],
  filterTypes: Record<string, string[]>,
): Record<string, unknown> {
  const spec: Record<string, unknown> = JSON.parse(JSON.stringify(chart.spec));
  let ranges = [...((spec.date_ranges as Record<string, unknown>[] | undefined) ?? [])];
  const conditions: unknown[] = [];
  for (const filter of doc.filters ?? []) {
    const field = targetField(item, filter, fields, filterTypes[filter.type] ?? []);
    if (field === null || isEmpty(filter.default)) continue;
    if (filter.type === "date_range" && !Array.isArray(filter.default)) {
      ranges = ranges.filter((r) => r.field !== field);
      ranges.push({ field, ...filter.default });
    } else if (Array.isArray(filter.default)) {
      conditions.push({ in_list: [{ var: field }, [...filter.default]] });
    }
  }
  if (ranges.length) spec.date_ranges = ranges;
  if (conditions.length) spec.filter = { and: [...(spec.filter ? [spec.filter] : []), ...conditions] };
  for (const key of ["kind", "name", "label", "description"]) delete spec[key];
  return spec;
}

/** The fields of the board's charts a filter of `type` can take: each field name once, with
 * how many of the placed charts have it (the most shared first). */
export function sharedFields(
  items: DashboardItem[],
  charts: Map<string, PaletteChart>,
  fieldsOf: Record<string, FilterField[]>,
  fitting: string[],
): { field: FilterField; charts: number }[] {
  const found = new Map<string, { field: FilterField; charts: number }>();
  for (const item of items) {
    const chart = charts.get(item.report);
    if (!chart) continue;
    for (const field of fieldsOf[chart.entity] ?? []) {
      if (!fitting.includes(field.type)) continue;
      const seen = found.get(field.name);
      if (seen) seen.charts += 1;
      else found.set(field.name, { field, charts: 1 });
    }
  }
  return [...found.values()].sort((a, b) => b.charts - a.charts);
}

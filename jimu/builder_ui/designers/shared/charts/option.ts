// A report result (rows + column metadata) and the spec's visual -> what to draw: an ECharts
// option for the charts (the map of China's provinces too), or the data of an HTML card /
// table / pivot.
// Pure (no DOM, no ECharts import), so it is tested in Node (tests/platform/designers/
// chart_option_runner.mjs) and reused by every page that draws a report.
import { columnLabel, compactNumber, formatDimension, formatNumber } from "./format";
import { provinceOf } from "./provinces";
import type { Cell, ChartWords, Lang, ResultColumn, ResultRow, VisualSpec } from "./types";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EChartsOption = Record<string, any>;

export interface RenderContext {
  lang: Lang;
  words: ChartWords;
  theme?: "light" | "dark";
  /** Per titled dimension, the titles that several ids share (shown with their id). */
  shared?: Map<string, Set<string>>;
}

export interface CardData {
  value: string;
  label: string;
  /** kpi: the previous period's value and the change, or the target and the share of it. */
  detail?: { label: string; value: string; change?: string; up?: boolean };
  /** kpi with a period: the values in order (a sparkline). */
  trend?: number[];
}

export interface TableData {
  headers: { label: string; numeric: boolean }[];
  rows: { cells: string[]; total?: boolean; others?: boolean }[];
}

export type Drawing =
  | { kind: "echarts"; option: EChartsOption; series: number; note?: string }
  | { kind: "card"; card: CardData }
  | { kind: "table"; table: TableData; note?: string }
  | { kind: "empty"; message: string };

/** Colours of the series when the spec names none (ECharts' default palette). */
export const PALETTE = [
  "#5470c6",
  "#91cc75",
  "#fac858",
  "#ee6666",
  "#73c0de",
  "#3ba272",
  "#fc8452",
  "#9a60b4",
  "#ea7ccc",
];

interface Parts {
  dimensions: ResultColumn[];
  measures: ResultColumn[];
  rows: ResultRow[];
}

function partsOf(columns: ResultColumn[], rows: ResultRow[]): Parts {
  return {
    dimensions: columns.filter((c) => c.role === "dimension"),
    measures: columns.filter((c) => c.role === "measure"),
    rows,
  };
}

function numberOf(value: Cell | undefined): number | null {
  if (value === null || value === undefined || value === "") return null;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** The title of a row's id for a link or user dimension, if the result has one. */
function titleOf(column: ResultColumn, row: ResultRow): string | null {
  const title = column.title ? row[column.title] : null;
  return typeof title === "string" && title !== "" ? title : null;
}

/** Per titled dimension, the titles more than one id has (two accounts named alike): those
 * are written with the id, so they stay apart on an axis or in a legend. */
function sharedTitles(dimensions: ResultColumn[], rows: ResultRow[]): Map<string, Set<string>> {
  const shared = new Map<string, Set<string>>();
  for (const column of dimensions) {
    if (!column.title) continue;
    const ids = new Map<string, Cell>();
    const repeated = new Set<string>();
    for (const row of rows) {
      const title = titleOf(column, row);
      if (title === null) continue;
      const id = row[column.name];
      if (ids.has(title) && ids.get(title) !== id) repeated.add(title);
      ids.set(title, id);
    }
    if (repeated.size) shared.set(column.name, repeated);
  }
  return shared;
}

/** The label of a row's value of a dimension ("Others" for the others row's first one; a
 * linked record's title or a user's name for their ids). */
function dimensionText(column: ResultColumn, row: ResultRow, ctx: RenderContext, first: boolean): string {
  if (first && row.others === true) return ctx.words.others;
  const title = titleOf(column, row);
  if (title !== null) return ctx.shared?.get(column.name)?.has(title) ? `${title} #${row[column.name]}` : title;
  return formatDimension(column, row[column.name], ctx.lang, ctx.words);
}

/** The distinct values of a dimension in the rows' order (the server's sort). */
function distinct(column: ResultColumn, rows: ResultRow[], ctx: RenderContext, first: boolean): string[] {
  const seen = new Set<string>();
  for (const row of rows) seen.add(dimensionText(column, row, ctx, first));
  return [...seen];
}

/** The option colour of a dimension value (select fields), if any. */
function optionColor(column: ResultColumn, value: Cell | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return column.options?.find((o) => o.value === String(value))?.color;
}

function colorOf(visual: VisualSpec, key: string, index: number): string {
  return visual.colors?.[key] || PALETTE[index % PALETTE.length];
}

function axisFormatter(measure: ResultColumn | undefined, visual: VisualSpec, ctx: RenderContext) {
  return (value: number) =>
    formatNumber(value, measure?.format, { lang: ctx.lang, compact: true, currency: visual.currency });
}

function tooltipFormatter(measures: ResultColumn[], visual: VisualSpec, ctx: RenderContext) {
  const byName = new Map(measures.map((m) => [m.name, m]));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (value: any, _index: number, series?: { id?: string }) => {
    const measure = (series?.id && byName.get(series.id.split("|")[0])) || measures[0];
    return formatNumber(value as number, measure?.format, { lang: ctx.lang, currency: visual.currency });
  };
}

function base(ctx: RenderContext): EChartsOption {
  return {
    backgroundColor: "transparent",
    animation: false,
    textStyle: { fontFamily: "inherit" },
    tooltip: { trigger: "axis", confine: true },
    legend: { type: "scroll", top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    darkMode: ctx.theme === "dark",
  };
}

/** bar, stacked_bar, line, area: categories from the first dimension; series per measure, or
 * per value of the second dimension (of the first measure). */
function cartesian(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const [first, second] = parts.dimensions;
  const categories = distinct(first, parts.rows, ctx, true);
  const kind = visual.type === "line" || visual.type === "area" ? "line" : "bar";
  const stack = visual.type === "stacked_bar" || (visual.type === "area" && !!second) ? "total" : undefined;
  const series: EChartsOption[] = [];
  const look = (name: string, color: string, id: string, data: (number | null)[]) => ({
    id,
    name,
    type: kind,
    data,
    stack,
    itemStyle: { color },
    ...(kind === "line" ? { smooth: false, connectNulls: false } : {}),
    ...(visual.type === "area" ? { areaStyle: { opacity: 0.35 } } : {}),
  });
  if (second) {
    const measure = parts.measures[0];
    const keys = distinct(second, parts.rows, ctx, false);
    keys.forEach((key, index) => {
      const data: (number | null)[] = categories.map(() => null);
      let color: string | undefined;
      for (const row of parts.rows) {
        if (dimensionText(second, row, ctx, false) !== key) continue;
        color ??= optionColor(second, row[second.name]);
        data[categories.indexOf(dimensionText(first, row, ctx, true))] = numberOf(row[measure.name]);
      }
      series.push(look(key, visual.colors?.[key] || color || PALETTE[index % PALETTE.length], `${measure.name}|${key}`, data));
    });
  } else {
    parts.measures.forEach((measure, index) => {
      const data = categories.map(() => null as number | null);
      for (const row of parts.rows) data[categories.indexOf(dimensionText(first, row, ctx, true))] = numberOf(row[measure.name]);
      series.push(look(columnLabel(measure, ctx.lang), colorOf(visual, measure.name, index), measure.name, data));
    });
  }
  const categoryAxis = { type: "category", data: categories, axisLabel: { hideOverlap: true } };
  const valueAxis = { type: "value", axisLabel: { formatter: axisFormatter(parts.measures[0], visual, ctx) } };
  const horizontal = visual.horizontal && kind === "bar";
  return {
    kind: "echarts",
    series: series.length,
    option: {
      ...base(ctx),
      tooltip: { trigger: "axis", confine: true, valueFormatter: tooltipFormatter(parts.measures, visual, ctx) },
      xAxis: horizontal ? valueAxis : { ...categoryAxis, boundaryGap: kind === "bar" },
      yAxis: horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
      series,
    },
  };
}

/** combo: bars on the left axis, lines on the right (visual.lines, default all but the first). */
function combo(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const [first] = parts.dimensions;
  const categories = distinct(first, parts.rows, ctx, true);
  const lines = new Set(visual.lines ?? parts.measures.slice(1).map((m) => m.name));
  const lineMeasure = parts.measures.find((m) => lines.has(m.name));
  const barMeasure = parts.measures.find((m) => !lines.has(m.name));
  const series = parts.measures.map((measure, index) => ({
    id: measure.name,
    name: columnLabel(measure, ctx.lang),
    type: lines.has(measure.name) ? "line" : "bar",
    yAxisIndex: lines.has(measure.name) ? 1 : 0,
    itemStyle: { color: colorOf(visual, measure.name, index) },
    data: parts.rows.map((row) => numberOf(row[measure.name])),
  }));
  return {
    kind: "echarts",
    series: series.length,
    option: {
      ...base(ctx),
      tooltip: { trigger: "axis", confine: true, valueFormatter: tooltipFormatter(parts.measures, visual, ctx) },
      xAxis: { type: "category", data: categories },
      yAxis: [
        { type: "value", axisLabel: { formatter: axisFormatter(barMeasure, visual, ctx) } },
        { type: "value", splitLine: { show: false }, axisLabel: { formatter: axisFormatter(lineMeasure, visual, ctx) } },
      ],
      series,
    },
  };
}

/** pie, donut, funnel: one slice / step per value of the dimension (first measure). */
function slices(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const [first] = parts.dimensions;
  const measure = parts.measures[0];
  const data = parts.rows.map((row, index) => {
    const name = dimensionText(first, row, ctx, true);
    const color = visual.colors?.[String(row[first.name])] || optionColor(first, row[first.name]) || PALETTE[index % PALETTE.length];
    return { name, value: numberOf(row[measure.name]), itemStyle: { color } };
  });
  const format = (value: number) => formatNumber(value, measure.format, { lang: ctx.lang, currency: visual.currency });
  const isFunnel = visual.type === "funnel";
  const series = isFunnel
    ? { id: measure.name, name: columnLabel(measure, ctx.lang), type: "funnel", sort: "none", left: "10%", width: "80%", top: 36, bottom: 8, label: { show: true, position: "inside" }, data }
    : {
        id: measure.name,
        name: columnLabel(measure, ctx.lang),
        type: "pie",
        radius: visual.type === "donut" ? ["45%", "72%"] : [0, "72%"],
        center: ["50%", "56%"],
        data,
      };
  return {
    kind: "echarts",
    series: 1,
    option: { ...base(ctx), tooltip: { trigger: "item", confine: true, valueFormatter: format }, series: [series] },
  };
}

/** scatter: one point per row (x, y, optional size); a second dimension splits the series. */
function scatter(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const [first, second] = parts.dimensions;
  const [x, y, size] = parts.measures;
  const sizes = size ? parts.rows.map((r) => numberOf(r[size.name]) ?? 0) : [];
  const largest = Math.max(1, ...sizes.map(Math.abs));
  const point = (row: ResultRow) => ({
    name: dimensionText(first, row, ctx, true),
    value: [numberOf(row[x.name]), numberOf(row[y.name]), size ? numberOf(row[size.name]) : null],
  });
  const groups = second ? distinct(second, parts.rows, ctx, false) : [columnLabel(y, ctx.lang)];
  const series = groups.map((group, index) => ({
    id: `${y.name}|${group}`,
    name: group,
    type: "scatter",
    itemStyle: { color: colorOf(visual, second ? group : y.name, index) },
    symbolSize: size ? (value: number[]) => 6 + 34 * Math.sqrt(Math.abs(value[2] ?? 0) / largest) : 10,
    data: parts.rows.filter((row) => !second || dimensionText(second, row, ctx, false) === group).map(point),
  }));
  const fmt = (measure: ResultColumn) => (value: number) =>
    formatNumber(value, measure.format, { lang: ctx.lang, compact: true, currency: visual.currency });
  return {
    kind: "echarts",
    series: series.length,
    option: {
      ...base(ctx),
      tooltip: { trigger: "item", confine: true },
      xAxis: { type: "value", name: columnLabel(x, ctx.lang), scale: true, axisLabel: { formatter: fmt(x) } },
      yAxis: { type: "value", name: columnLabel(y, ctx.lang), scale: true, axisLabel: { formatter: fmt(y) } },
      series,
    },
  };
}

/** heatmap: the first dimension across, the second down, the measure as colour. */
function heatmap(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const [first, second] = parts.dimensions;
  const measure = parts.measures[0];
  const xs = distinct(first, parts.rows, ctx, true);
  const ys = distinct(second, parts.rows, ctx, false);
  const data = parts.rows.map((row) => [
    xs.indexOf(dimensionText(first, row, ctx, true)),
    ys.indexOf(dimensionText(second, row, ctx, false)),
    numberOf(row[measure.name]),
  ]);
  const values = data.map((d) => d[2]).filter((v): v is number => v !== null);
  const color = visual.colors?.[measure.name] || PALETTE[0];
  return {
    kind: "echarts",
    series: 1,
    option: {
      ...base(ctx),
      legend: undefined,
      tooltip: { trigger: "item", confine: true },
      grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: xs, splitArea: { show: true } },
      yAxis: { type: "category", data: ys, splitArea: { show: true } },
      visualMap: {
        min: values.length ? Math.min(...values) : 0,
        max: values.length ? Math.max(...values) : 1,
        calculable: true,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        inRange: { color: [ctx.theme === "dark" ? "#1f2937" : "#f5f7fa", color] },
        formatter: (value: number) => formatNumber(value, measure.format, { lang: ctx.lang, compact: true, currency: visual.currency }),
      },
      series: [{ id: measure.name, name: columnLabel(measure, ctx.lang), type: "heatmap", data, label: { show: data.length <= 80, formatter: (p: { value: number[] }) => compactNumber(p.value[2] ?? 0, ctx.lang) } }],
    },
  };
}

function measureText(row: ResultRow, measure: ResultColumn, visual: VisualSpec, ctx: RenderContext): string {
  return formatNumber(row[measure.name], measure.format, { lang: ctx.lang, currency: visual.currency });
}

/** number, kpi: a card; a kpi with a period shows the last period against the one before, a
 * kpi with two measures the value against its target. */
function card(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const chosen = visual.value ? parts.measures.find((m) => m.name === visual.value) : undefined;
  const value = chosen ?? parts.measures[0];
  // with `compare`, the measure's value in the other period; else the second measure, a target
  const previous = parts.measures.find((m) => m.name === `${value.name}_previous`);
  const target = previous ? undefined : chosen ? undefined : parts.measures[1];
  const rows = parts.rows;
  const last = rows[rows.length - 1];
  const label = columnLabel(value, ctx.lang);
  const shown: CardData = { label, value: measureText(last, value, visual, ctx) };
  if (visual.type === "kpi" && previous && !parts.dimensions.length) {
    const now = numberOf(last[value.name]);
    const then = numberOf(last[previous.name]);
    const change = now !== null && then ? (now - then) / Math.abs(then) : null;
    shown.detail = {
      label: ctx.words.previous,
      value: measureText(last, previous, visual, ctx),
      change: change === null ? undefined : (change >= 0 ? "+" : "") + formatNumber(change, "percent", { lang: ctx.lang }),
      up: change === null ? undefined : change >= 0,
    };
  } else if (visual.type === "kpi" && target) {
    const have = numberOf(last[value.name]);
    const goal = numberOf(last[target.name]);
    shown.detail = {
      label: ctx.words.target,
      value: measureText(last, target, visual, ctx),
      change: have !== null && goal ? formatNumber(have / goal, "percent", { lang: ctx.lang }) : undefined,
      up: have !== null && goal !== null ? have >= goal : undefined,
    };
  } else if (visual.type === "kpi" && parts.dimensions.length && rows.length > 1) {
    const before = rows[rows.length - 2];
    const now = numberOf(last[value.name]);
    const then = numberOf(before[value.name]);
    const change = now !== null && then ? (now - then) / Math.abs(then) : null;
    shown.detail = {
      label: `${ctx.words.previous} (${dimensionText(parts.dimensions[0], before, ctx, false)})`,
      value: measureText(before, value, visual, ctx),
      change: change === null ? undefined : (change >= 0 ? "+" : "") + formatNumber(change, "percent", { lang: ctx.lang }),
      up: change === null ? undefined : change >= 0,
    };
    shown.trend = rows.map((row) => numberOf(row[value.name]) ?? 0);
  }
  return { kind: "card", card: shown };
}

/** table: one row per result row, dimensions then measures. */
function table(parts: Parts, visual: VisualSpec, ctx: RenderContext): TableData {
  return {
    headers: [
      ...parts.dimensions.map((d) => ({ label: columnLabel(d, ctx.lang), numeric: false })),
      ...parts.measures.map((m) => ({ label: columnLabel(m, ctx.lang), numeric: true })),
    ],
    rows: parts.rows.map((row) => ({
      others: row.others === true,
      cells: [
        ...parts.dimensions.map((d, i) => dimensionText(d, row, ctx, i === 0)),
        ...parts.measures.map((m) => measureText(row, m, visual, ctx)),
      ],
    })),
  };
}

function sumOf(rows: ResultRow[], name: string): number | null {
  let total: number | null = null;
  for (const row of rows) {
    const value = numberOf(row[name]);
    if (value !== null) total = (total ?? 0) + value;
  }
  return total;
}

/** pivot: rows = the first dimension (and the second with three), columns = the last
 * dimension's values × measures; a total column per measure, a subtotal per first-dimension
 * value (with two row dimensions) and a grand total row. Totals add the cells up, so they are
 * shown only for additive measures (count, sum): the others' totals stay empty. */
function pivot(parts: Parts, visual: VisualSpec, ctx: RenderContext, additive: Set<string>): TableData {
  const dims = parts.dimensions;
  const rowDims = dims.length === 1 ? dims : dims.slice(0, dims.length - 1);
  const columnDim = dims.length === 1 ? undefined : dims[dims.length - 1];
  const columnKeys = columnDim ? distinct(columnDim, parts.rows, ctx, false) : [];
  const totals = visual.subtotals !== false;
  const headers = [
    ...rowDims.map((d) => ({ label: columnLabel(d, ctx.lang), numeric: false })),
    ...(columnDim
      ? columnKeys.flatMap((key) =>
          parts.measures.map((m) => ({ label: parts.measures.length > 1 ? `${key} · ${columnLabel(m, ctx.lang)}` : key, numeric: true })),
        )
      : []),
    ...(!columnDim || totals
      ? parts.measures.map((m) => ({ label: columnDim ? `${ctx.words.total} · ${columnLabel(m, ctx.lang)}` : columnLabel(m, ctx.lang), numeric: true }))
      : []),
  ];
  const money = (value: number | null, m: ResultColumn) =>
    formatNumber(value, m.format, { lang: ctx.lang, currency: visual.currency });
  const keyOf = (row: ResultRow) => rowDims.map((d, i) => dimensionText(d, row, ctx, i === 0)).join("\u0000");
  const groups = new Map<string, ResultRow[]>();
  for (const row of parts.rows) {
    const key = keyOf(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  // Several result rows in one cell (a subtotal, a total) add up; a non-additive measure's
  // sum would be wrong, so such a cell shows "–".
  const cell = (rows: ResultRow[], m: ResultColumn) =>
    !rows.length ? "" : additive.has(m.name) || rows.length === 1 ? money(sumOf(rows, m.name), m) : "–";
  const totalCells = (rows: ResultRow[]) => parts.measures.map((m) => cell(rows, m));
  const lineOf = (rows: ResultRow[]) => [
    ...columnKeys.flatMap((key) => {
      const inColumn = rows.filter((r) => columnDim && dimensionText(columnDim, r, ctx, false) === key);
      return parts.measures.map((m) => cell(inColumn, m));
    }),
    ...(!columnDim || totals ? totalCells(rows) : []),
  ];
  const out: TableData["rows"] = [];
  let previousHead: string | undefined;
  let headRows: ResultRow[] = [];
  const flushSubtotal = () => {
    if (totals && rowDims.length > 1 && previousHead !== undefined) {
      out.push({ total: true, cells: [`${previousHead} · ${ctx.words.subtotal}`, ...rowDims.slice(1).map(() => ""), ...lineOf(headRows)] });
    }
  };
  for (const rows of groups.values()) {
    const head = dimensionText(rowDims[0], rows[0], ctx, true);
    if (head !== previousHead) {
      flushSubtotal();
      previousHead = head;
      headRows = [];
    }
    headRows.push(...rows);
    out.push({ others: rows[0].others === true, cells: [...rowDims.map((d, i) => dimensionText(d, rows[0], ctx, i === 0)), ...lineOf(rows)] });
  }
  flushSubtotal();
  if (totals && groups.size > 1) {
    out.push({ total: true, cells: [ctx.words.total, ...rowDims.slice(1).map(() => ""), ...lineOf(parts.rows)] });
  }
  return { headers, rows: out };
}

/** china_map: the provinces coloured by the first measure (the bundled map of China's
 * provincial-level divisions, registered as "china"); a value naming no province (a foreign
 * city, empty) is listed under the map with its value, not drawn. 广东 and 广东省 are one. */
function provinces(parts: Parts, visual: VisualSpec, ctx: RenderContext): Drawing {
  const [first] = parts.dimensions;
  const measure = parts.measures[0];
  const totals = new Map<string, number>();
  const off: string[] = [];
  for (const row of parts.rows) {
    const name = row.others === true ? null : provinceOf(row[first.name]);
    const value = numberOf(row[measure.name]);
    if (name === null) {
      off.push(`${dimensionText(first, row, ctx, true)} ${measureText(row, measure, visual, ctx)}`);
    } else if (value !== null) {
      totals.set(name, (totals.get(name) ?? 0) + value);
    }
  }
  const values = [...totals.values()];
  const color = visual.colors?.[measure.name] || PALETTE[0];
  const format = (value: number) => formatNumber(value, measure.format, { lang: ctx.lang, currency: visual.currency });
  return {
    kind: "echarts",
    series: 1,
    note: off.length ? `${ctx.words.map_note} ${off.join(" · ")}` : undefined,
    option: {
      ...base(ctx),
      legend: undefined,
      tooltip: { trigger: "item", confine: true, valueFormatter: format },
      visualMap: {
        min: values.length ? Math.min(0, ...values) : 0,
        max: values.length ? Math.max(...values) : 1,
        calculable: true,
        left: 8,
        bottom: 8,
        inRange: { color: [ctx.theme === "dark" ? "#1f2937" : "#eef2fb", color] },
        formatter: (value: number) => formatNumber(value, measure.format, { lang: ctx.lang, compact: true, currency: visual.currency }),
      },
      series: [
        {
          id: measure.name,
          name: columnLabel(measure, ctx.lang),
          type: "map",
          map: "china",
          roam: false,
          data: [...totals.entries()].map(([name, value]) => ({ name, value })),
          itemStyle: { areaColor: ctx.theme === "dark" ? "#111827" : "#f5f5f5", borderColor: ctx.theme === "dark" ? "#4b5563" : "#bbb" },
          emphasis: { label: { show: true } },
        },
      ],
    },
  };
}

export interface DrawOptions extends RenderContext {
  /** Measures whose cells may be added up (count, sum): the pivot's totals. */
  additive?: Iterable<string>;
}

/** What to draw for a result and the spec's visual. */
export function drawReport(
  columns: ResultColumn[],
  rows: ResultRow[],
  visual: VisualSpec,
  options: DrawOptions,
): Drawing {
  const parts = partsOf(columns, rows);
  const ctx: RenderContext = { ...options, shared: sharedTitles(parts.dimensions, rows) };
  if (!parts.measures.length) return { kind: "empty", message: options.words.no_rows };
  if (!rows.length) return { kind: "empty", message: options.words.no_rows };
  const needsDimension = !["number", "kpi", "table"].includes(visual.type);
  if (needsDimension && !parts.dimensions.length) return card(parts, { ...visual, type: "number" }, ctx);
  switch (visual.type) {
    case "number":
    case "kpi":
      return card(parts, visual, ctx);
    case "table":
      return { kind: "table", table: table(parts, visual, ctx) };
    case "pivot":
      return { kind: "table", table: pivot(parts, visual, ctx, new Set(options.additive ?? [])) };
    case "combo":
      return parts.measures.length > 1 ? combo(parts, visual, ctx) : cartesian(parts, { ...visual, type: "bar" }, ctx);
    case "pie":
    case "donut":
    case "funnel":
      return slices(parts, visual, ctx);
    case "scatter":
      return parts.measures.length > 1 ? scatter(parts, visual, ctx) : cartesian(parts, { ...visual, type: "bar" }, ctx);
    case "heatmap":
      return parts.dimensions.length > 1 ? heatmap(parts, visual, ctx) : cartesian(parts, { ...visual, type: "bar" }, ctx);
    case "china_map":
      return provinces(parts, visual, ctx);
    default:
      return cartesian(parts, visual, ctx);
  }
}

/** The measures of a spec whose values add up across groups (count and sum of own fields). */
export function additiveMeasures(measures: { name: string; agg?: string }[]): string[] {
  return measures.filter((m) => m.agg === "count" || m.agg === "sum").map((m) => m.name);
}

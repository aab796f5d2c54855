// Numbers and dimension values as a reader of the chart's language reads them: 万/亿 in zh,
// K/M/B in en for compact numbers (axes, cards); percent (0.25 -> 25%), money, integers.
import type { Cell, ColumnOption, Lang, ResultColumn } from "./types";

export type NumberFormat = "number" | "percent" | "money" | "integer";

function trim(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

/** A compact number: 12 345 -> "1.23万" (zh) / "12.3K" (en); below the first unit as is. */
export function compactNumber(value: number, lang: Lang): string {
  const size = Math.abs(value);
  const units: [number, string][] =
    lang === "zh"
      ? [
          [1e12, "万亿"],
          [1e8, "亿"],
          [1e4, "万"],
        ]
      : [
          [1e12, "T"],
          [1e9, "B"],
          [1e6, "M"],
          [1e3, "K"],
        ];
  for (const [unit, suffix] of units) {
    if (size >= unit) return trim((value / unit).toFixed(2)) + suffix;
  }
  return trim(value.toFixed(Number.isInteger(value) ? 0 : 2));
}

function grouped(value: number, digits: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  }).format(value);
}

function currencySymbol(currency: string, lang: Lang): string {
  const parts = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", {
    style: "currency",
    currencyDisplay: "narrowSymbol",
    currency,
  }).formatToParts(0);
  return parts.find((p) => p.type === "currency")?.value ?? currency;
}

export interface FormatOptions {
  lang: Lang;
  compact?: boolean;
  currency?: string;
}

/** A measure's value in its format; empty (null) is "–". */
export function formatNumber(
  value: Cell | undefined,
  format: NumberFormat | undefined,
  options: FormatOptions,
): string {
  if (value === null || value === undefined || value === "") return "–";
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(number)) return String(value);
  const { lang, compact = false } = options;
  switch (format) {
    case "percent":
      return `${trim((number * 100).toFixed(1))}%`;
    case "money": {
      const symbol = currencySymbol(options.currency || "CNY", lang);
      const sign = number < 0 ? "-" : "";
      const size = Math.abs(number);
      return sign + symbol + (compact ? compactNumber(size, lang) : grouped(size, 2, lang));
    }
    case "integer":
      return compact ? compactNumber(Math.round(number), lang) : grouped(Math.round(number), 0, lang);
    default:
      return compact ? compactNumber(number, lang) : grouped(number, 2, lang);
  }
}

function labelIn(label: { en?: string; zh?: string } | undefined, lang: Lang, fallback: string): string {
  return (label && (label[lang] || label.en || label.zh)) || fallback;
}

/** A period ("2025-06-01" with grain month) as its reader says it. */
export function formatPeriod(value: string, grain: string | undefined, lang: Lang): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(value);
  if (!match) return value;
  const [, y, m, d, hh, mm] = match;
  const month = Number(m);
  const day = Number(d);
  switch (grain) {
    case "year":
      return lang === "zh" ? `${y}年` : y;
    case "quarter": {
      const quarter = Math.floor((month - 1) / 3) + 1;
      return lang === "zh" ? `${y}年第${quarter}季度` : `${y} Q${quarter}`;
    }
    case "month":
      return lang === "zh" ? `${y}年${month}月` : `${y}-${m}`;
    case "week":
      return lang === "zh" ? `${y}年${month}月${day}日当周` : `Week of ${y}-${m}-${d}`;
    case "hour":
      return `${y}-${m}-${d} ${hh ?? "00"}:${mm ?? "00"}`;
    default:
      return `${y}-${m}-${d}`;
  }
}

export interface ValueWords {
  empty: string;
  yes: string;
  no: string;
}

/** A dimension's value as its reader says it: an option's label, a period, yes/no, empty. */
export function formatDimension(
  column: ResultColumn,
  value: Cell | undefined,
  lang: Lang,
  words: ValueWords,
): string {
  if (value === null || value === undefined || value === "") return words.empty;
  if (column.options) {
    const option = column.options.find((o: ColumnOption) => o.value === String(value));
    if (option) return labelIn(option.label, lang, option.value);
  }
  if (typeof value === "boolean") return value ? words.yes : words.no;
  if (column.type === "period") return formatPeriod(String(value), column.grain, lang);
  if (column.type === "bin" && typeof value === "number") return compactNumber(value, lang);
  if (column.type === "datetime") return formatPeriod(String(value), "hour", lang);
  return String(value);
}

export function columnLabel(column: ResultColumn, lang: Lang): string {
  return labelIn(column.label, lang, column.name);
}

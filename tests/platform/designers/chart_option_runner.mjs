// Runs the chart renderer's pure part (designers/shared/charts/option.ts and format.ts,
// bundled with the esbuild that Vite ships) over cases read from stdin, for
// test_chart_option.py: each case is {"draw": [columns, rows, visual, lang, additive?]} ->
// the drawing as JSON (plus "axis": the value axis' labels of `probe` values), or
// {"format": [value, format, lang, compact, currency?]} -> the text.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ui = process.argv[2];
const require = createRequire(join(ui, "package.json"));
const esbuild = require("esbuild");
const bundled = await esbuild.build({
  stdin: {
    contents:
      'export * from "./designers/shared/charts/option.ts"; export * from "./designers/shared/charts/format.ts";',
    resolveDir: ui,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
});
const source = bundled.outputFiles[0].text;
const charts = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));

const WORDS = {
  empty: "(empty)", others: "Others", total: "Total", subtotal: "Subtotal", yes: "Yes", no: "No",
  no_rows: "No data", map_note: "NO MAP", rank: "#", previous: "Previous", target: "Target",
};

function axisLabels(option, probe) {
  const axes = [option.yAxis, option.xAxis].flat().filter((a) => a && a.type === "value");
  return axes.map((axis) => probe.map((value) => axis.axisLabel.formatter(value)));
}

const input = JSON.parse(readFileSync(0, "utf8"));
const out = input.cases.map((item) => {
  if (item.format) {
    const [value, format, lang, compact, currency] = item.format;
    return charts.formatNumber(value, format, { lang, compact, currency });
  }
  const [columns, rows, visual, lang, additive] = item.draw;
  const drawing = charts.drawReport(columns, rows, visual, { lang, words: WORDS, additive });
  const json = JSON.parse(JSON.stringify(drawing));
  if (drawing.kind === "echarts" && item.probe) json.axis = axisLabels(drawing.option, item.probe);
  return json;
});
process.stdout.write(JSON.stringify(out));

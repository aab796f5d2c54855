// Apache ECharts (Apache-2.0, with zrender BSD-3-Clause), tree-shaken to the charts and
// components the report visuals use, drawn as SVG (and once on a canvas for a PNG download).
// Built into the `charts` chunk.
import { BarChart, FunnelChart, HeatmapChart, LineChart, MapChart, PieChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { init, registerMap, use, type EChartsType } from "echarts/core";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  ScatterChart,
  HeatmapChart,
  MapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
  CanvasRenderer,
]);

export type Chart = EChartsType;

/** A chart in `element` with ECharts' built-in light or dark theme. */
export function createChart(element: HTMLElement, theme: "light" | "dark"): Chart {
  return init(element, theme === "dark" ? "dark" : undefined, { renderer: "svg" });
}

/** The page colour behind a chart of each theme (the PNG's background). */
export const BACKGROUNDS = { light: "#ffffff", dark: "#100c2a" } as const;

/** A drawn chart as a PNG (a `data:image/png` URL): its option drawn once more on a canvas of
 * the same size and theme (the SVG renderer's own export is SVG), at twice the pixels. */
export function pngOf(chart: Chart, theme: "light" | "dark"): string {
  const host = document.createElement("div");
  const width = chart.getWidth();
  const height = chart.getHeight();
  const copy = init(host, theme === "dark" ? "dark" : undefined, { renderer: "canvas", width, height });
  try {
    copy.setOption(chart.getOption());
    return copy.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: BACKGROUNDS[theme] });
  } finally {
    copy.dispose();
  }
}

let china: Promise<void> | null = null;

/** Registers the map of China's provinces as "china", once, loading its data on first use
 * (its own chunk): map/json/china.json of the echarts 4.9.0 npm package, Apache-2.0 (see
 * docs/reports.md, "The map of China"). */
export function loadChinaMap(): Promise<void> {
  china ??= import("echarts-4-maps/map/json/china.json").then((module) => {
    registerMap("china", (module as { default: unknown }).default as Parameters<typeof registerMap>[1]);
  });
  return china;
}

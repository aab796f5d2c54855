// Apache ECharts (Apache-2.0, with zrender BSD-3-Clause), tree-shaken to the charts and
// components the report visuals use, drawn as SVG. Built into the `charts` chunk.
import { BarChart, FunnelChart, HeatmapChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { init, use, type EChartsType } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  ScatterChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export type Chart = EChartsType;

/** A chart in `element` with ECharts' built-in light or dark theme. */
export function createChart(element: HTMLElement, theme: "light" | "dark"): Chart {
  return init(element, theme === "dark" ? "dark" : undefined, { renderer: "svg" });
}

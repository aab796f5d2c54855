// Runs the free canvas's helpers (designers/flow/canvas.ts, bundled with dagre by the esbuild
// Vite ships) for test_flow_canvas.py: stdin {"graph": {...}, "calls": [[name, ...args]]} ->
// stdout {"results": [...], "graph": {...}}: each call gets the graph (edited in place) first.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ui = process.argv[2];
const require = createRequire(join(ui, "package.json"));
const esbuild = require("esbuild");
const bundled = await esbuild.build({
  entryPoints: [join(ui, "designers/flow/canvas.ts")],
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
  nodePaths: [join(ui, "node_modules")],
});
const canvas = await import("data:text/javascript;base64," + Buffer.from(bundled.outputFiles[0].text).toString("base64"));
const input = JSON.parse(readFileSync(0, "utf8"));
const graph = input.graph;
const results = input.calls.map(([name, ...args]) => {
  const out = name === "autoLayout" ? canvas.autoLayout(graph.nodes, graph.edges) : name === "keptLayout" ? canvas.keptLayout(graph.layout, graph.nodes) : canvas[name](graph, ...args);
  return out === undefined ? null : out;
});
process.stdout.write(JSON.stringify({ results, graph }));

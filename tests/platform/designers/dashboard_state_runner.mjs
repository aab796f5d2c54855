// Runs the dashboard page's pure part (designers/dashboard_view/state.ts, bundled with the
// esbuild that Vite ships) over calls read from stdin, for test_dashboard_state.py: each call
// is {"fn": name, "args": [...]} -> the function's answer as JSON.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ui = process.argv[2];
const require = createRequire(join(ui, "package.json"));
const esbuild = require("esbuild");
const bundled = await esbuild.build({
  stdin: { contents: 'export * from "./designers/dashboard_view/state.ts";', resolveDir: ui, loader: "ts" },
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
});
const state = await import("data:text/javascript;base64," + Buffer.from(bundled.outputFiles[0].text).toString("base64"));
const input = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(input.calls.map((call) => state[call.fn](...call.args) ?? null)));

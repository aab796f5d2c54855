// Runs the condition builder's model (designers/shared/condition/model.ts, bundled with the
// esbuild that Vite ships) over cases read from stdin, for test_condition_model.py:
// {"vocabulary": ..., "cases": [json, ...]} -> [{"written": json, "nodes": "group(rule,raw)"}].
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ui = process.argv[2];
const require = createRequire(join(ui, "package.json"));
const esbuild = require("esbuild");
const bundled = await esbuild.build({
  entryPoints: [join(ui, "designers/shared/condition/model.ts")],
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
});
const source = bundled.outputFiles[0].text;
const model = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));

function shape(node) {
  if (node.type === "group") return `${node.op}(${node.children.map(shape).join(",")})`;
  return node.type === "rule" ? `rule:${node.operator}` : "raw";
}

const input = JSON.parse(readFileSync(0, "utf8"));
const out = input.cases.map((json) => {
  const tree = model.readCondition(input.vocabulary, json);
  return { written: model.writeCondition(input.vocabulary, tree), nodes: shape(tree) };
});
process.stdout.write(JSON.stringify(out));

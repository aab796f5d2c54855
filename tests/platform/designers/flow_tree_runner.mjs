// Runs the flow designer's tree (designers/flow/tree.ts, bundled with the esbuild Vite ships)
// for test_flow_tree.py: stdin {"documents": [...], "trees": [...]} -> stdout
// {"parsed": [{"reason", "tree", "again"}], "compiled": [{nodes, edges}]}.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ui = process.argv[2];
const require = createRequire(join(ui, "package.json"));
const esbuild = require("esbuild");
const bundled = await esbuild.build({
  entryPoints: [join(ui, "designers/flow/tree.ts")],
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
});
const tree = await import("data:text/javascript;base64," + Buffer.from(bundled.outputFiles[0].text).toString("base64"));
const input = JSON.parse(readFileSync(0, "utf8"));
const strip = ({ nodes, edges }) => ({ nodes, edges });
const parsed = input.documents.map((doc) => {
  const result = tree.parseFlow(doc);
  return { reason: result.reason, tree: result.tree, again: result.tree ? strip(tree.compileTree(result.tree)) : null };
});
const compiled = input.trees.map((t) => strip(tree.compileTree(t)));
process.stdout.write(JSON.stringify({ parsed, compiled }));

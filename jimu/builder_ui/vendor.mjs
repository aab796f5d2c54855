// Copy the built files of the browser libraries from node_modules into static/vendor/,
// with their licence, so the Python package serves them itself (private deployments have no
// internet). Run after `npm ci`:  npm run vendor
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "static", "vendor");

// package name -> files to copy (paths inside the package)
const FILES = {
  trix: ["dist/trix.umd.min.js", "dist/trix.css", "LICENSE"],
};

rmSync(target, { recursive: true, force: true });
const manifest = {};
for (const [name, files] of Object.entries(FILES)) {
  const root = join(here, "node_modules", name);
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const out = join(target, name);
  mkdirSync(out, { recursive: true });
  for (const file of files) {
    copyFileSync(join(root, file), join(out, file.split("/").pop()));
  }
  manifest[name] = { version, files: files.map((f) => f.split("/").pop()) };
  console.log(`vendored ${name}@${version}: ${files.join(", ")}`);
}
writeFileSync(join(target, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

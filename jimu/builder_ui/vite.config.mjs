// Builds the designers (Vue 3 islands) into static/designers/ with a manifest.json that the
// Python side (jimu/builder_ui/pages/shell/designer_assets.py) turns into script, modulepreload
// and CSS tags. One entry per folder designers/<name>/main.ts (except shared/); everything under
// designers/shared/ and node_modules goes into one shared runtime chunk.
// The output is committed: the build must be deterministic (same sources -> same bytes), which
// is why there are no timestamps, no absolute paths and content hashes in the file names.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const sources = join(here, "designers");

/** designers/<name>/main.ts for every designer folder, keyed by the designer's name. */
function designerEntries() {
  const entries = {};
  for (const name of readdirSync(sources).sort()) {
    const main = join(sources, name, "main.ts");
    if (name !== "shared" && existsSync(main)) entries[name] = main;
  }
  return entries;
}

const RUNTIME_PACKAGES = ["vue", "@vue", "vue-i18n", "@intlify"];
const CHART_PACKAGES = ["echarts", "zrender"];

/** The shared runtime: Vue, vue-i18n, Element Plus's base and the shared designer pieces. */
function chunkOf(id) {
  const path = id.split("\\").join("/");
  if (path.includes("/node_modules/")) {
    // Libraries only some designers use stay in those designers' chunks.
    // Element Plus stays out: a manual chunk keeps every module assigned to it, and Element
    // Plus must be tree-shaken to the components the designers import. Rollup puts the
    // components that several designers share into shared chunks of their own.
    if (RUNTIME_PACKAGES.some((name) => path.includes(`/node_modules/${name}/`))) return "runtime";
    // Apache ECharts (and its zrender) only in the chart renderer's own chunk.
    if (CHART_PACKAGES.some((name) => path.includes(`/node_modules/${name}/`))) return "charts";
    return undefined;
  }
  // The condition builder (and the Element Plus parts it uses) is a chunk of its own, loaded
  // by the designers that build conditions (role, rule, report …), not by every designer.
  if (path.includes("/designers/shared/condition/")) return "condition";
  // The chart renderer (ECharts' option builder, the Vue component) is the `charts` chunk,
  // loaded by the chart designer and the dashboards.
  if (path.includes("/designers/shared/charts/")) return "charts";
  if (path.includes("/designers/shared/")) return "runtime";
  return undefined;
}

export default defineConfig({
  root: here,
  base: "/static/designers/",
  plugins: [vue()],
  define: {
    // vue-i18n: Composition API only, messages compiled to an AST and interpreted (JIT), never
    // through `new Function`, so the pages' Content-Security-Policy has no 'unsafe-eval'.
    __VUE_I18N_FULL_INSTALL__: "false",
    __VUE_I18N_LEGACY_API__: "false",
    __INTLIFY_PROD_DEVTOOLS__: "false",
    __INTLIFY_JIT_COMPILATION__: "true",
    __INTLIFY_DROP_MESSAGE_COMPILER__: "false",
    __VUE_OPTIONS_API__: "false",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
  build: {
    outDir: resolve(here, "static/designers"),
    emptyOutDir: true,
    manifest: "manifest.json",
    target: "es2020",
    sourcemap: false,
    cssCodeSplit: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // The `charts` chunk (ECharts tree-shaken to the report visuals) is ~600 KB minified,
    // ~200 KB gzip: loaded only by the chart designer and the dashboards.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      input: designerEntries(),
      output: {
        entryFileNames: "[name]-[hash].js",
        chunkFileNames: "[name]-[hash].js",
        assetFileNames: "[name]-[hash][extname]",
        manualChunks: chunkOf,
      },
    },
  },
});

// Types for the sources (Vite compiles TypeScript without checking it; editors read these).
declare module "*.vue" {
  import type { DefineComponent } from "vue";
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

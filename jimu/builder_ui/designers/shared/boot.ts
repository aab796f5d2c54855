// How a designer starts: read the page's boot data (the JSON the Jinja shell wrote into
// <script type="application/json" id="designer-boot">), then mount the designer's root
// component with vue-i18n (messages from the server's catalogue) and Element Plus's locale.
import { createApp, type Component } from "vue";
import DesignerRoot from "./DesignerRoot.vue";
import { BOOT, type Boot } from "./bootData";
import { createDesignerI18n } from "./i18n";
import "./designer.css";

export { BOOT, type Boot } from "./bootData";

export const BOOT_ELEMENT_ID = "designer-boot";
export const MOUNT_ELEMENT_ID = "designer";

/** The boot data of this page. */
export function readBoot<T extends Boot = Boot>(): T {
  const element = document.getElementById(BOOT_ELEMENT_ID);
  if (!element || !element.textContent) throw new Error(`no #${BOOT_ELEMENT_ID} on this page`);
  return JSON.parse(element.textContent) as T;
}

/** Mount `designer` on the page's #designer element; it gets the boot data by inject(BOOT). */
export function mountDesigner(designer: Component): void {
  const boot = readBoot();
  const app = createApp(DesignerRoot, { designer, lang: boot.lang });
  app.use(createDesignerI18n(boot.lang, boot.messages));
  app.provide(BOOT, boot);
  app.mount(`#${MOUNT_ELEMENT_ID}`);
  document.documentElement.dataset.designerReady = boot.designer;
  // Time from navigation start to the first usable render (bench/ui.py reads it).
  document.documentElement.dataset.designerReadyMs = String(Math.round(performance.now()));
}

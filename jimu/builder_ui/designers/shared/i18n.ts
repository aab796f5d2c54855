// vue-i18n fed with the server's catalogue (jimu/builder_ui/i18n/*.json, keys `designer.*`).
// The build sets __INTLIFY_JIT_COMPILATION__: messages compile to an AST that is interpreted,
// never to code run through `new Function`, so the page's CSP needs no 'unsafe-eval'.
import { createI18n, type I18n } from "vue-i18n";
import type { Language } from "./bootData";

export function createDesignerI18n(lang: Language, messages: Record<string, string>): I18n {
  return createI18n({
    legacy: false,
    locale: lang,
    fallbackLocale: lang,
    // The catalogue's keys are flat ("designer.publish"); flatJson nests them for vue-i18n.
    flatJson: true,
    messages: { [lang]: messages },
    missingWarn: false,
    fallbackWarn: false,
  }) as unknown as I18n;
}

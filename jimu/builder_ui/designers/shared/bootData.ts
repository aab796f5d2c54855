// The boot data every designer page carries (see jimu/builder_ui/pages/designers/shell.py).
import { inject, type InjectionKey } from "vue";

export type Language = "en" | "zh";

export interface Boot {
  /** The designer's name ("app", ...). */
  designer: string;
  lang: Language;
  /** Sent as X-CSRF-Token on every unsafe request. */
  csrf_token: string;
  /** The catalogue's `designer.*` messages in `lang`. */
  messages: Record<string, string>;
  /** What the designer itself needs (its document, JSON Schema, URLs...). */
  [key: string]: unknown;
}

export const BOOT: InjectionKey<Boot> = Symbol("designer boot data");

/** The page's boot data, typed as the designer expects it. */
export function useBoot<T extends Boot = Boot>(): T {
  const boot = inject(BOOT);
  if (!boot) throw new Error("useBoot() outside a mounted designer");
  return boot as T;
}

// Error pinning: the server answers a save with problem+json whose errors carry JSON pointers
// ("/menu/2/url"). Components register the pointer they edit (usePinnedError / v-pin); each
// error is shown at the element that edits its pointer, or the nearest registered parent
// pointer, and all of them in the summary list, which scrolls to the element.
import { inject, provide, reactive, type InjectionKey } from "vue";
import type { FieldProblem } from "./api";

export interface PinnedErrors {
  errors: FieldProblem[];
  elements: Map<string, HTMLElement>;
  set(errors: FieldProblem[]): void;
  clear(): void;
  /** The registered pointer an error is shown at (itself, else its nearest parent). */
  anchorOf(pointer: string): string | null;
  messagesAt(pointer: string): string[];
  focus(pointer: string): void;
}

export const PINNED: InjectionKey<PinnedErrors> = Symbol("pinned errors");

/** ``roles/x.json#/entities`` -> ``/entities``; a plain pointer stays as it is. */
function inDocument(pointer: string): string {
  const hash = pointer.indexOf("#");
  return pointer.startsWith("/") || hash < 0 ? pointer : pointer.slice(hash + 1);
}

export function createPinnedErrors(): PinnedErrors {
  const state = reactive({ errors: [] as FieldProblem[], version: 0 });
  const elements = new Map<string, HTMLElement>();
  const pinned: PinnedErrors = {
    get errors() {
      return state.errors;
    },
    elements,
    set(errors) {
      // Publishing answers with pointers into the app folder ("roles/x.json#/entities/..."):
      // the part after "#" is the pointer inside the document the designer edits.
      state.errors = errors.map((e) => ({ ...e, pointer: inDocument(e.pointer) }));
    },
    clear() {
      state.errors = [];
    },
    anchorOf(pointer) {
      void state.version;
      let candidate = pointer;
      for (;;) {
        if (elements.has(candidate)) return candidate;
        if (!candidate) return null;
        candidate = candidate.slice(0, candidate.lastIndexOf("/"));
      }
    },
    messagesAt(pointer) {
      return state.errors.filter((e) => pinned.anchorOf(e.pointer) === pointer).map((e) => e.message);
    },
    focus(pointer) {
      const anchor = pinned.anchorOf(pointer);
      const element = anchor !== null ? elements.get(anchor) : undefined;
      if (!element) return;
      element.scrollIntoView({ block: "center" });
      const input = element.querySelector<HTMLElement>("input, select, textarea, button");
      (input ?? element).focus();
    },
  };
  // Re-resolve anchors when elements come and go.
  const touch = () => (state.version += 1);
  (pinned as PinnedErrors & { touch: () => void }).touch = touch;
  return pinned;
}

export function providePinnedErrors(): PinnedErrors {
  const pinned = createPinnedErrors();
  provide(PINNED, pinned);
  return pinned;
}

export function usePinned(): PinnedErrors {
  const pinned = inject(PINNED);
  if (!pinned) throw new Error("no pinned errors provided");
  return pinned;
}

/** Register `element` as the editor of `pointer` (see Pinned.vue); returns the unregister. */
export function registerPointer(pinned: PinnedErrors, pointer: string, element: HTMLElement): () => void {
  const touchable = pinned as PinnedErrors & { touch: () => void };
  pinned.elements.set(pointer, element);
  touchable.touch();
  return () => {
    if (pinned.elements.get(pointer) === element) pinned.elements.delete(pointer);
    touchable.touch();
  };
}

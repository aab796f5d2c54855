// The document store of a designer: one reactive document, undo/redo over whole snapshots,
// and "dirty" against the last saved snapshot (for the publish bar and the unsaved warning).
import { computed, reactive, ref, type ComputedRef, type Ref } from "vue";

export interface DocumentStore<T extends object> {
  /** The document being edited (reactive). Change it, then call commit(). */
  doc: T;
  /** Record the current state as one undoable step (no-op when nothing changed). */
  commit(): void;
  undo(): void;
  redo(): void;
  canUndo: ComputedRef<boolean>;
  canRedo: ComputedRef<boolean>;
  /** The document differs from the last saved one. */
  dirty: ComputedRef<boolean>;
  /** The current document is what the server has now. */
  markSaved(saved?: T): void;
  /** A plain copy of the document (what a save sends). */
  snapshot(): T;
  /** Steps taken so far (for tests and the bar). */
  revision: Ref<number>;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function createDocumentStore<T extends object>(initial: T, limit = 200): DocumentStore<T> {
  const doc = reactive(clone(initial)) as T;
  const past = ref<string[]>([]);
  const future = ref<string[]>([]);
  let current = JSON.stringify(initial);
  const saved = ref(current);
  const revision = ref(0);
  const replace = (text: string) => {
    const next = JSON.parse(text) as Record<string, unknown>;
    const target = doc as Record<string, unknown>;
    for (const key of Object.keys(target)) if (!(key in next)) delete target[key];
    Object.assign(target, next);
    current = text;
    revision.value += 1;
  };
  return {
    doc,
    commit() {
      const text = JSON.stringify(doc);
      if (text === current) return;
      past.value.push(current);
      if (past.value.length > limit) past.value.shift();
      future.value = [];
      current = text;
      revision.value += 1;
    },
    undo() {
      const previous = past.value.pop();
      if (previous === undefined) return;
      future.value.push(current);
      replace(previous);
    },
    redo() {
      const next = future.value.pop();
      if (next === undefined) return;
      past.value.push(current);
      replace(next);
    },
    canUndo: computed(() => past.value.length > 0),
    canRedo: computed(() => future.value.length > 0),
    dirty: computed(() => revision.value >= 0 && current !== saved.value),
    markSaved(value?: T) {
      if (value !== undefined) {
        replace(JSON.stringify(value));
        past.value = [];
        future.value = [];
      }
      saved.value = current;
    },
    snapshot: () => clone(doc),
    revision,
  };
}

/** Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl+Y redo (not inside a text field's own undo). */
export function bindUndoKeys(store: { undo(): void; redo(): void }): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (!(event.ctrlKey || event.metaKey)) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) store.undo();
    else if ((key === "z" && event.shiftKey) || key === "y") store.redo();
    else return;
    event.preventDefault();
  };
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}

// What the tree's nodes do, provided by the departments tab: select, drag and drop (a node
// dropped on another becomes its sub-department), and move up / down among its siblings.
import { inject, reactive, type InjectionKey } from "vue";

export interface TreeActions {
  state: { selected: number | null; dragging: number | null; over: number | null };
  select(id: number): void;
  drop(targetId: number | null): void;
  shift(id: number, delta: -1 | 1): void;
}

export const TREE_ACTIONS: InjectionKey<TreeActions> = Symbol("tree actions");

export function treeState() {
  return reactive({ selected: null as number | null, dragging: null as number | null, over: null as number | null });
}

export function useTreeActions(): TreeActions {
  const actions = inject(TREE_ACTIONS);
  if (!actions) throw new Error("useTreeActions() outside the departments tab");
  return actions;
}

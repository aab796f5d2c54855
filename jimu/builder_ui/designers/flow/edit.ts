// Editing the flow tree: what "+" inserts, finding the selected part, and the branch moves.
// Pure functions over the tree (FlowDesigner commits each change as one undo step).
import { freshId, type Branch, type FlowTree, type GatewayItem, type TreeItem } from "./tree";

export type AddKind = "approval" | "fill" | "cc" | "exclusive" | "parallel" | "end";
export const ADD_KINDS: AddKind[] = ["approval", "fill", "cc", "exclusive", "parallel", "end"];

const emptyBranch = (): Branch => ({ condition: null, items: [] });

export function newItem(tree: FlowTree, kind: AddKind): TreeItem {
  switch (kind) {
    case "approval":
      return { kind: "step", node: { id: freshId(tree, "approve"), type: "approval", assignees: [] } };
    case "fill":
      return { kind: "step", node: { id: freshId(tree, "fill"), type: "fill", assignees: [] } };
    case "cc":
      return { kind: "step", node: { id: freshId(tree, "cc"), type: "cc", recipients: [] } };
    case "end":
      return { kind: "step", node: { id: freshId(tree, "end"), type: "end" } };
    case "exclusive":
      return { kind: "exclusive", id: freshId(tree, "branch"), branches: [emptyBranch(), emptyBranch()] };
    case "parallel": {
      const id = freshId(tree, "parallel");
      return { kind: "parallel", id, join: `${id}_join`, branches: [emptyBranch(), emptyBranch()] };
    }
  }
}

export type Selection =
  | { part: "start" }
  | { part: "step"; item: TreeItem & { kind: "step" } }
  | { part: "gateway"; item: GatewayItem }
  | { part: "branch"; gateway: GatewayItem; index: number; branch: Branch };

/** The selected part: "start", a node's id, a gateway's id or "<gateway id>/<branch index>". */
export function findSelection(tree: FlowTree, key: string): Selection | null {
  if (key === tree.start.id) return { part: "start" };
  const walk = (items: TreeItem[]): Selection | null => {
    for (const item of items) {
      if (item.kind === "step") {
        if (item.node.id === key) return { part: "step", item };
        continue;
      }
      if (item.id === key) return { part: "gateway", item };
      for (const [index, branch] of item.branches.entries()) {
        if (`${item.id}/${index}` === key) return { part: "branch", gateway: item, index, branch };
        const found = walk(branch.items);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(tree.items);
}

/** A new branch: before the default ("otherwise", the last) of a condition branch. */
export function addBranch(gateway: GatewayItem): void {
  const at = gateway.kind === "exclusive" ? gateway.branches.length - 1 : gateway.branches.length;
  gateway.branches.splice(at, 0, emptyBranch());
}

/** Moves branch `index` by `delta`; a condition branch's default stays last. */
export function moveBranch(gateway: GatewayItem, index: number, delta: number): void {
  const last = gateway.kind === "exclusive" ? gateway.branches.length - 2 : gateway.branches.length - 1;
  const to = index + delta;
  if (to < 0 || to > last || index > last) return;
  const [branch] = gateway.branches.splice(index, 1);
  if (branch) gateway.branches.splice(to, 0, branch);
}

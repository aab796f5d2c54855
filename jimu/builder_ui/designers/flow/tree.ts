// The flow designer's tree (a 钉钉/飞书-style vertical flow) and the engine's nodes/edges
// document it stands for (docs/process.md, "The flow designer"). Pure: no Vue, so Node runs it
// in tests (tests/platform/designers/test_flow_tree.py).
//
// compileTree: tree -> {nodes, edges}. An approval node leaves by an "approved" edge; its
// reject goes to one shared end with result "reject". A condition branch (exclusive gateway)
// has one edge per branch, the last one the default ("otherwise"); its branches merge into
// whatever follows. A parallel branch is a parallel split whose branches meet at a join.
// parseFlow: {nodes, edges} -> tree, or null with the reason when the tree cannot draw it
// (cycles, N-of-M joins, timers...): a document is drawable exactly when compiling the tree
// read from it gives it back.
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Label = { en?: string; zh?: string };
export type FlowNode = { id: string; type: string; label?: Label; [key: string]: Json | undefined };
export type FlowEdge = { from: string; to: string; condition?: Json; default?: boolean; label?: Label };

/** A task, cc or end node of the tree: the engine's node itself. */
export interface StepItem {
  kind: "step";
  node: FlowNode;
}
export interface Branch {
  label?: Label;
  /** An exclusive branch's condition (over `record.<field>`); null on the default branch. */
  condition: Json;
  items: TreeItem[];
}
export interface GatewayItem {
  kind: "exclusive" | "parallel";
  id: string;
  label?: Label;
  /** The parallel branches' join node. */
  join?: string;
  branches: Branch[];
}
export type TreeItem = StepItem | GatewayItem;
export interface FlowTree {
  start: FlowNode;
  items: TreeItem[];
  /** The end an approval's reject leads to. */
  rejectEnd: string;
}
export interface Compiled {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** `${gateway}/${branch index}` -> the index of the edge that enters the branch. */
  branchEdges: Record<string, number>;
}

export const APPROVED: Json = { "==": [{ var: "outcome" }, "approve"] };
const STEP_TYPES = ["approval", "fill", "cc", "end"];
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

interface Pending {
  from: string;
  condition?: Json;
  default?: boolean;
  label?: Label;
  branch?: string;
  /** An empty branch's edge, written in branch order, its target filled in when known. */
  slot?: number;
}

export function compileTree(tree: FlowTree): Compiled {
  const nodes: FlowNode[] = [tree.start];
  const edges: FlowEdge[] = [];
  const branchEdges: Record<string, number> = {};
  let rejects = false;
  const edgeOf = (p: Pending, to: string): FlowEdge => {
    const edge: FlowEdge = { from: p.from, to };
    if (p.condition !== undefined) edge.condition = p.condition;
    if (p.default) edge.default = true;
    if (p.label && (p.label.en || p.label.zh)) edge.label = p.label;
    return edge;
  };
  const connect = (pending: Pending[], to: string): void => {
    for (const p of pending) {
      if (p.slot !== undefined) {
        (edges[p.slot] as FlowEdge).to = to;
        continue;
      }
      if (p.branch) branchEdges[p.branch] = edges.length;
      edges.push(edgeOf(p, to));
    }
  };
  const walk = (items: TreeItem[], entering: Pending[]): Pending[] => {
    let pending = entering;
    for (const item of items) {
      if (item.kind === "step") {
        nodes.push(item.node);
        connect(pending, item.node.id);
        if (item.node.type === "end") return [];
        if (item.node.type === "approval") {
          rejects = true;
          edges.push({ from: item.node.id, to: tree.rejectEnd, default: true });
          pending = [{ from: item.node.id, condition: APPROVED }];
        } else pending = [{ from: item.node.id }];
        continue;
      }
      const gateway: FlowNode = { id: item.id, type: item.kind };
      if (item.label && (item.label.en || item.label.zh)) gateway.label = item.label;
      nodes.push(gateway);
      connect(pending, item.id);
      const out: Pending[] = [];
      item.branches.forEach((branch, i) => {
        const enter: Pending = { from: item.id, label: branch.label, branch: `${item.id}/${i}` };
        if (item.kind === "exclusive") {
          if (i === item.branches.length - 1) enter.default = true;
          else if (branch.condition !== null) enter.condition = branch.condition;
        }
        if (!branch.items.length) {
          branchEdges[`${item.id}/${i}`] = edges.length;
          edges.push(edgeOf(enter, ""));
          out.push({ from: item.id, slot: edges.length - 1 });
        } else out.push(...walk(branch.items, [enter]));
      });
      if (item.kind === "parallel") {
        const join = item.join ?? `${item.id}_join`;
        nodes.push({ id: join, type: "join" });
        connect(out, join);
        pending = [{ from: join }];
      } else pending = out;
    }
    return pending;
  };
  walk(tree.items, [{ from: tree.start.id }]);
  if (rejects) nodes.push({ id: tree.rejectEnd, type: "end", result: "reject" });
  return { nodes, edges, branchEdges };
}

/** Why the tree cannot draw a document, or null when it can. */
export type Parsed = { tree: FlowTree; reason: null } | { tree: null; reason: string };

function hasCycle(ids: string[], next: Map<string, string[]>): boolean {
  const state = new Map<string, number>();
  const visit = (id: string): boolean => {
    if (state.get(id) === 1) return true;
    if (state.get(id) === 2) return false;
    state.set(id, 1);
    for (const to of next.get(id) ?? []) if (visit(to)) return true;
    state.set(id, 2);
    return false;
  };
  return ids.some((id) => visit(id));
}

/** JSON with every object's keys sorted. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

export function parseFlow(doc: { nodes?: FlowNode[]; edges?: FlowEdge[] }): Parsed {
  const nodes = doc.nodes ?? [];
  const edges = doc.edges ?? [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, FlowEdge[]>();
  for (const n of nodes) out.set(n.id, []);
  for (const e of edges) out.get(e.from)?.push(e);
  const next = new Map([...out].map(([id, list]) => [id, list.map((e) => e.to)]));
  const starts = nodes.filter((n) => n.type === "start");
  if (starts.length !== 1) return { tree: null, reason: "start" };
  const odd = nodes.find((n) => !["start", "exclusive", "parallel", "join", ...STEP_TYPES].includes(n.type));
  if (odd) return { tree: null, reason: `kind:${odd.type}` };
  if (nodes.some((n) => n.type === "join" && (n.mode ?? "all") !== "all")) return { tree: null, reason: "join" };
  if (hasCycle(nodes.map((n) => n.id), next)) return { tree: null, reason: "cycle" };
  const rejectEdge = edges.find((e) => byId.get(e.from)?.type === "approval" && e.default);
  const rejectEnd = rejectEdge?.to ?? "rejected";
  const reach = (from: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const id = stack.pop() as string;
      if (seen.has(id) || id === rejectEnd) continue;
      seen.add(id);
      stack.push(...(next.get(id) ?? []));
    }
    return seen;
  };
  /** Where the branches starting at `firsts` meet (null: they all end). */
  const mergeOf = (firsts: string[]): string | null => {
    const sets = firsts.map(reach);
    const counts = new Map<string, number>();
    for (const s of sets) for (const id of s) counts.set(id, (counts.get(id) ?? 0) + 1);
    const top = Math.max(0, ...counts.values());
    if (top < 2) return null;
    const common = [...counts].filter(([, c]) => c === top).map(([id]) => id);
    return common.reduce((best, id) => (reach(id).size > reach(best).size ? id : best));
  };
  const used = new Set<string>();
  const defaults = new WeakSet<Branch>();
  const chain = (first: string | undefined, stop: string | null): TreeItem[] => {
    const items: TreeItem[] = [];
    let current = first;
    while (current !== undefined && current !== stop) {
      const node = byId.get(current);
      if (!node || used.has(current)) throw new Error("shape");
      used.add(current);
      const leaving = (out.get(current) ?? []).filter((e) => e.to !== rejectEnd || node.type !== "approval");
      if (node.type === "exclusive" || node.type === "parallel") {
        const firsts = leaving.map((e) => e.to);
        let merge = mergeOf(firsts) ?? stop;
        if (firsts.length === 1) merge = firsts[0] ?? null;
        const branches: Branch[] = leaving.map((e) => {
          const branch: Branch = {
            ...(e.label ? { label: e.label } : {}),
            condition: e.default || e.condition === undefined ? null : e.condition,
            items: e.to === merge ? [] : chain(e.to, merge),
          };
          if (e.default) defaults.add(branch);
          return branch;
        });
        const item: GatewayItem = { kind: node.type, id: node.id, branches };
        if (node.label) item.label = node.label;
        if (node.type === "parallel") {
          if (!merge || byId.get(merge)?.type !== "join") throw new Error("shape");
          item.join = merge;
          used.add(merge);
          items.push(item);
          current = next.get(merge)?.[0];
          continue;
        }
        items.push(item);
        current = merge === stop ? undefined : (merge ?? undefined);
        continue;
      }
      items.push({ kind: "step", node });
      if (node.type === "end") return items;
      current = leaving[0]?.to;
    }
    return items;
  };
  let tree: FlowTree;
  try {
    const start = starts[0] as FlowNode;
    tree = { start, items: chain(next.get(start.id)?.[0], null), rejectEnd };
    used.add(start.id);
  } catch {
    return { tree: null, reason: "shape" };
  }
  // Exclusive branches: the default one goes last (the tree draws "otherwise" last).
  const order = (items: TreeItem[]): void => {
    for (const item of items) {
      if (item.kind === "step") continue;
      if (item.kind === "exclusive") {
        const d = item.branches.findIndex((b) => defaults.has(b));
        if (d >= 0) item.branches.push(...item.branches.splice(d, 1));
      }
      item.branches.forEach((b) => order(b.items));
    }
  };
  order(tree.items);
  const again = compileTree(tree);
  // Key order does not count (PostgreSQL's jsonb reorders the keys of what it stores).
  const key = (list: unknown[]): string => JSON.stringify(list.map(canonical).sort());
  const canon = (e: FlowEdge): FlowEdge => {
    const c: FlowEdge = { from: e.from, to: e.to };
    if (e.condition !== undefined) c.condition = e.condition;
    if (e.default) c.default = true;
    if (e.label && (e.label.en || e.label.zh)) c.label = e.label;
    return c;
  };
  if (key(again.nodes) !== key(nodes) || key(again.edges.map(canon)) !== key(edges.map(canon))) {
    return { tree: null, reason: "shape" };
  }
  return { tree, reason: null };
}

/** A new flow: start (manual) → end. */
export function emptyTree(): FlowTree {
  return { start: { id: "start", type: "start", on: "manual" }, items: [{ kind: "step", node: { id: "end", type: "end" } }], rejectEnd: "rejected" };
}

/** An id no node of the tree has yet: `${prefix}_${n}`. */
export function freshId(tree: FlowTree, prefix: string): string {
  const taken = new Set(compileTree(tree).nodes.map((n) => n.id));
  const collect = (items: TreeItem[]): void => {
    for (const item of items) {
      if (item.kind === "step") continue;
      taken.add(item.id);
      if (item.join) taken.add(item.join);
      item.branches.forEach((b) => collect(b.items));
    }
  };
  collect(tree.items);
  for (let n = 1; ; n += 1) if (!taken.has(`${prefix}_${n}`)) return `${prefix}_${n}`;
}

/** The condition builder writes `{"var": "amount"}`; a flow reads the record as `record.amount`. */
export function toFlowCondition(value: Json): Json {
  return mapVars(value, (name) => (name.startsWith("$") ? name : `record.${name}`));
}
export function fromFlowCondition(value: Json): Json {
  return mapVars(value, (name) => (name.startsWith("record.") ? name.slice("record.".length) : name));
}
function mapVars(value: Json, rename: (name: string) => string): Json {
  if (Array.isArray(value)) return value.map((v) => mapVars(v, rename));
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "var") {
    const v = value.var;
    if (typeof v === "string") return { var: rename(v) };
    if (Array.isArray(v) && typeof v[0] === "string") return { var: [rename(v[0]), ...v.slice(1)] };
  }
  return Object.fromEntries(keys.map((k) => [k, mapVars(value[k] as Json, rename)]));
}

/** 会签 (all), 或签 (any), in turn: the `multi` of a task node with several approvers. */
export type SignMode = "all" | "any" | "sequential";
export function multiFor(mode: SignMode, count: number): Json | undefined {
  // 或签: several entries on one task already means "any one of them" (no multi-instance).
  if (mode === "any" || count < 2) return undefined;
  if (mode === "sequential") return { mode: "sequential", count, per_assignee: true, complete_when: { ">": [{ var: "outcomes.reject" }, 0] } };
  const outcome = mode === "all" ? "outcomes.reject" : "outcomes.approve";
  return { mode: "parallel", count, per_assignee: true, complete_when: { ">": [{ var: outcome }, 0] } };
}
export function signModeOf(node: FlowNode): SignMode {
  const multi = node.multi as { mode?: string; complete_when?: Json } | undefined;
  if (!multi) return "any";
  if (multi.mode === "sequential") return "sequential";
  return same(multi.complete_when, { ">": [{ var: "outcomes.approve" }, 0] }) ? "any" : "all";
}

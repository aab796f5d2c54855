// The flow designer's free canvas (FlowCanvas.vue) over the flow document's own `nodes` and
// `edges`: dagre's top-to-bottom layout, the positions kept in the document's `layout`
// ({node id: {x, y}}, which the engine ignores), and the edits the canvas makes — add a node
// of any kind, connect two nodes, mark an edge default, set its condition, delete. Pure: no
// Vue, so Node runs it in tests (tests/platform/designers/test_flow_canvas.py).
import { Graph, layout as dagreLayout } from "@dagrejs/dagre";
import { isPoint, keptLayout, type FlowGraph, type Layout, type Point } from "./layout";

export { keptLayout, type CanvasSelection, type FlowGraph, type Layout, type Point } from "./layout";
import type { FlowEdge, FlowNode, Json } from "./tree";

/** The size dagre lays the cards out with (FlowCanvas.vue draws them this wide). */
export const CARD_WIDTH = 220;
export const CARD_HEIGHT = 72;

export const CANVAS_KINDS = [
  "approval",
  "fill",
  "cc",
  "exclusive",
  "inclusive",
  "parallel",
  "join",
  "timer",
  "service",
  "subprocess",
  "receive",
  "end",
] as const;
export type CanvasKind = (typeof CANVAS_KINDS)[number];

const PREFIX: Record<CanvasKind, string> = {
  approval: "approve",
  fill: "fill",
  cc: "cc",
  exclusive: "branch",
  inclusive: "inclusive",
  parallel: "parallel",
  join: "join",
  timer: "timer",
  service: "service",
  subprocess: "subprocess",
  receive: "receive",
  end: "end",
};

/** Top-left corners of every node, laid out top to bottom by dagre (whole pixels). */
export function autoLayout(nodes: FlowNode[], edges: FlowEdge[]): Layout {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 60, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: CARD_WIDTH, height: CARD_HEIGHT });
  const ids = new Set(nodes.map((n) => n.id));
  edges.forEach((e, i) => {
    if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(e.from, e.to, {}, `e${i}`);
  });
  dagreLayout(g);
  const out: Layout = {};
  for (const n of nodes) {
    const placed = g.node(n.id) as { x: number; y: number };
    out[n.id] = { x: Math.round(placed.x - CARD_WIDTH / 2), y: Math.round(placed.y - CARD_HEIGHT / 2) };
  }
  return out;
}

/** Where each node is drawn: its place in the document's `layout`, else dagre's. */
export function positions(graph: FlowGraph): Layout {
  const kept = graph.layout ?? {};
  const missing = graph.nodes.some((n) => !isPoint(kept[n.id]));
  const auto = missing ? autoLayout(graph.nodes, graph.edges) : {};
  const out: Layout = {};
  for (const n of graph.nodes) {
    const at = kept[n.id];
    out[n.id] = isPoint(at) ? { x: at.x, y: at.y } : (auto[n.id] as Point);
  }
  return out;
}

/** Moves a node: writes its place (whole pixels) and fixes every other node where it is drawn,
 * so the first drag does not let dagre move the rest. */
export function moveNode(graph: FlowGraph, id: string, to: Point): void {
  const now = positions(graph);
  const layout: Layout = {};
  for (const n of graph.nodes) layout[n.id] = n.id === id ? { x: Math.round(to.x), y: Math.round(to.y) } : (now[n.id] as Point);
  graph.layout = layout;
}

/** An id no node has yet: `${prefix}_${n}`. */
export function freshNodeId(graph: FlowGraph, prefix: string): string {
  const taken = new Set(graph.nodes.map((n) => n.id));
  for (let n = 1; ; n += 1) if (!taken.has(`${prefix}_${n}`)) return `${prefix}_${n}`;
}

/** A node of `kind` with the keys it needs to start with (docs/process.md, "Node kinds"). */
export function newNode(graph: FlowGraph, kind: CanvasKind): FlowNode {
  const id = freshNodeId(graph, PREFIX[kind]);
  switch (kind) {
    case "approval":
    case "fill":
      return { id, type: kind, assignees: [] };
    case "cc":
      return { id, type: kind, recipients: [] };
    case "join":
      return { id, type: kind, mode: "all" };
    case "timer":
      return { id, type: kind, delay: { amount: 1, unit: "days" } };
    default:
      return { id, type: kind };
  }
}

/** Adds a node below `near` (or below everything), placed so it does not sit on another. */
export function addNode(graph: FlowGraph, kind: CanvasKind, near: string | null): FlowNode {
  const now = positions(graph);
  const node = newNode(graph, kind);
  const anchor = near !== null ? now[near] : undefined;
  const lowest = Math.max(0, ...Object.values(now).map((p) => p.y));
  const at: Point = anchor ? { x: anchor.x, y: anchor.y + CARD_HEIGHT + 60 } : { x: 20, y: lowest + CARD_HEIGHT + 60 };
  const clash = (p: Point): boolean => Object.values(now).some((q) => Math.abs(q.x - p.x) < CARD_WIDTH && Math.abs(q.y - p.y) < CARD_HEIGHT);
  while (clash(at)) at.x += CARD_WIDTH + 40;
  graph.nodes.push(node);
  graph.layout = { ...now, [node.id]: at };
  return node;
}

export type ConnectRefusal = "unknown" | "self" | "duplicate" | "from_end" | "to_start";
export type Connected = { ok: true; index: number } | { ok: false; reason: ConnectRefusal };

/** Adds the edge from → to, unless the engine could never take it. */
export function connect(graph: FlowGraph, from: string, to: string): Connected {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const source = byId.get(from);
  const target = byId.get(to);
  if (!source || !target) return { ok: false, reason: "unknown" };
  if (from === to) return { ok: false, reason: "self" };
  if (source.type === "end") return { ok: false, reason: "from_end" };
  if (target.type === "start") return { ok: false, reason: "to_start" };
  if (graph.edges.some((e) => e.from === from && e.to === to)) return { ok: false, reason: "duplicate" };
  graph.edges.push({ from, to });
  return { ok: true, index: graph.edges.length - 1 };
}

/** Deletes a node, the edges to and from it and its place. */
export function removeNode(graph: FlowGraph, id: string): void {
  graph.nodes = graph.nodes.filter((n) => n.id !== id);
  graph.edges = graph.edges.filter((e) => e.from !== id && e.to !== id);
  if (graph.layout) graph.layout = keptLayout(graph.layout, graph.nodes);
}

export function removeEdge(graph: FlowGraph, index: number): void {
  graph.edges.splice(index, 1);
}

/** Marks edge `index` its node's default way (dropping its condition and any other default of
 * that node: a node has one default), or unmarks it. */
export function setDefault(graph: FlowGraph, index: number, on: boolean): void {
  const edge = graph.edges[index];
  if (!edge) return;
  if (!on) {
    delete edge.default;
    return;
  }
  for (const other of graph.edges) if (other.from === edge.from) delete other.default;
  delete edge.condition;
  edge.default = true;
}

/** Sets edge `index`'s condition (null: none); a condition is not the default way. */
export function setCondition(graph: FlowGraph, index: number, condition: Json): void {
  const edge = graph.edges[index];
  if (!edge) return;
  if (condition === null) {
    delete edge.condition;
    return;
  }
  delete edge.default;
  edge.condition = condition;
}

// The free canvas's document parts that the designer's main bundle needs without dagre (see
// canvas.ts): the node places kept in the flow document's `layout` ({node id: {x, y}}).
import type { FlowEdge, FlowNode } from "./tree";

/** What the canvas's side panel shows: a node (by id) or an edge (by index). */
export type CanvasSelection = { part: "node"; id: string } | { part: "edge"; index: number } | null;
export type Point = { x: number; y: number };
export type Layout = Record<string, Point>;
export interface FlowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
  layout?: Layout;
}

export function isPoint(value: unknown): value is Point {
  if (value === null || typeof value !== "object") return false;
  const p = value as Record<string, unknown>;
  return typeof p.x === "number" && typeof p.y === "number" && Number.isFinite(p.x) && Number.isFinite(p.y);
}

/** The layout entries of nodes that still exist (a deleted node's place goes with it). */
export function keptLayout(layout: Layout | undefined, nodes: FlowNode[]): Layout {
  const ids = new Set(nodes.map((n) => n.id));
  const out: Layout = {};
  for (const [id, at] of Object.entries(layout ?? {})) if (ids.has(id) && isPoint(at)) out[id] = { x: Math.round(at.x), y: Math.round(at.y) };
  return out;
}

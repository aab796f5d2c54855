// The simulated path, shared with whatever draws the flow: the node ids in the order the
// simulation first entered them (empty: no simulation shown). The tree's cards read it
// through `pathOrder` (their order number, 0 when off the path); a canvas takes `path.value`
// as its highlighted node ids.
import { inject, provide, ref, type InjectionKey, type Ref } from "vue";

export interface SimTask {
  node: string;
  kind: string;
  index: number;
  item?: unknown;
  users: number[];
  then: number[];
  auto: string | null;
  problem: string | null;
  delegated: { user: number; for: number }[];
}
export interface SimChoice {
  node: string;
  default: boolean;
  taken: { to: string; condition: unknown; words?: { en: string; zh: string } }[];
}
export interface SimEffect {
  effect: string;
  node?: string;
  result?: string;
  users?: number[];
  actions?: { type?: string }[];
  flow?: string;
  [key: string]: unknown;
}
export interface SimStep {
  event: string;
  node?: string;
  outcome?: string;
  index?: number;
  message?: string;
  entered: string[];
  tasks: SimTask[];
  choices: SimChoice[];
  effects: SimEffect[];
}
export interface SimResult {
  status: "completed" | "rejected" | "cancelled" | "waiting" | "capped" | "failed";
  result: string | null;
  waiting: string[];
  error: string | null;
  steps: SimStep[];
  path: string[];
  initiator: number | null;
  users: Record<string, string>;
}

const KEY: InjectionKey<Ref<string[]>> = Symbol("simulated path");

export function provideSimulatedPath(): Ref<string[]> {
  const path = ref<string[]>([]);
  provide(KEY, path);
  return path;
}
/** The simulated path (an empty one outside a designer that provides it). */
export function useSimulatedPath(): Ref<string[]> {
  return inject(KEY, ref<string[]>([]));
}
/** A node's place on the path (1, 2, …), 0 when the path does not pass it. */
export function pathOrder(path: string[], node: string): number {
  return path.indexOf(node) + 1;
}
/** The classes of a card: `simulated` on the path, `dimmed` off it while a path is shown. */
export function pathClass(path: string[], node: string): Record<string, boolean> {
  const on = path.includes(node);
  return { simulated: on, dimmed: path.length > 0 && !on };
}

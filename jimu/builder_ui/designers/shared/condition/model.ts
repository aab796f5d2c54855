// The condition builder's model (pure, no Vue): a tree of AND/OR groups, comparison rows and
// raw JSON, written to JsonLogic and read back from it.
//
// The comparisons are the server's templates (jimu/engines/expr/builder.py, sent by
// GET .../conditions/vocabulary): JsonLogic with slots ({"slot": "field"}, {"slot": "value"}
// ...). `fill` writes a row, `match` reads one back; both mirror the Python functions of the
// same names. Whatever a row or group cannot represent stays a raw node holding its JSON, so a
// condition is never lost.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Language = "en" | "zh";
export type Label = { en: string; zh: string };

export interface FieldOption {
  value: string;
  label: Label;
  color?: string;
}

export interface ConditionField {
  name: string;
  label: Label;
  type: string;
  kind: string;
  value_type: string;
  system: boolean;
  options?: FieldOption[];
  target?: string;
}

export interface BuilderOperator {
  id: string;
  template: Json;
  operand: "none" | "value" | "range" | "values" | "relative" | "period";
  label: Label;
}

export interface UserValue {
  value: { var: string };
  kind: string;
  many: boolean;
  label: Label;
}

export interface Unit {
  value: string;
  label: Label;
}

export interface Vocabulary {
  entity: string;
  label: Label;
  fields: ConditionField[];
  operators: Record<string, BuilderOperator[]>;
  user_values: UserValue[];
  relative_units: Unit[];
  period_units: Unit[];
}

export type Slots = Record<string, Json>;

export interface GroupNode {
  type: "group";
  id: string;
  op: "and" | "or";
  children: ConditionNode[];
}

export interface RuleNode {
  type: "rule";
  id: string;
  field: string;
  operator: string;
  /** The slots other than `field`: value, values, low, high, amount, unit. */
  slots: Slots;
}

export interface RawNode {
  type: "raw";
  id: string;
  json: Json;
}

export type ConditionNode = GroupNode | RuleNode | RawNode;

let counter = 0;
/** A fresh node id (unique within the page). */
export function nextId(): string {
  counter += 1;
  return `c${counter}`;
}

// -- templates ---------------------------------------------------------------------------

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function slotName(template: Json): string | null {
  if (isObject(template)) {
    const keys = Object.keys(template);
    if (keys.length === 1 && keys[0] === "slot" && typeof template.slot === "string") {
      return template.slot;
    }
  }
  return null;
}

/** `template` with each slot replaced (`field` by `{"var": name}`). */
export function fill(template: Json, slots: Slots): Json {
  const name = slotName(template);
  if (name !== null) {
    const value = slots[name] ?? null;
    return name === "field" ? { var: value } : value;
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, slots));
  if (isObject(template)) {
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(template)) out[key] = fill(value, slots);
    return out;
  }
  return template;
}

/** Deep equality of JSON values (key order ignored; 1 and 1.0 are one number in JS). */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => key in b && sameJson(a[key], b[key]));
  }
  return false;
}

/** The slots `rule` gives `template`'s, or null when it has another shape. */
export function match(template: Json, rule: Json): Slots | null {
  const bound: Slots = {};
  return matchInto(template, rule, bound) ? bound : null;
}

function matchInto(template: Json, rule: Json, bound: Slots): boolean {
  const name = slotName(template);
  if (name !== null) return bind(name, rule, bound);
  if (Array.isArray(template)) {
    if (!Array.isArray(rule) || rule.length !== template.length) return false;
    return template.every((item, i) => matchInto(item, rule[i], bound));
  }
  if (isObject(template)) {
    if (!isObject(rule)) return false;
    const keys = Object.keys(template);
    if (keys.length !== Object.keys(rule).length || !keys.every((k) => k in rule)) return false;
    return keys.every((key) => matchInto(template[key], rule[key], bound));
  }
  return typeof template === typeof rule && template === rule;
}

function bind(name: string, rule: Json, bound: Slots): boolean {
  let value: Json = rule;
  if (name === "field") {
    if (!isObject(rule) || Object.keys(rule).length !== 1 || typeof rule.var !== "string") {
      return false;
    }
    value = rule.var;
    if (value === "" || value.startsWith("$")) return false;
  }
  if (name in bound) return sameJson(bound[name], value);
  bound[name] = value;
  return true;
}

// -- values ------------------------------------------------------------------------------

function isUserVar(vocab: Vocabulary, value: Json, kind: string, many: boolean): boolean {
  return vocab.user_values.some(
    (uv) => uv.kind === kind && uv.many === many && sameJson(uv.value, value),
  );
}

function isScalar(value: Json): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

/** Whether the builder's value editors can show `slots` for `operator` on `field`. */
export function slotsFit(
  vocab: Vocabulary,
  field: ConditionField,
  operator: BuilderOperator,
  slots: Slots,
): boolean {
  const units = operator.operand === "relative" ? vocab.relative_units : vocab.period_units;
  switch (operator.operand) {
    case "none":
      return true;
    case "value":
      return isScalar(slots.value) || isUserVar(vocab, slots.value, field.kind, false);
    case "range":
      return isScalar(slots.low) && isScalar(slots.high);
    case "values":
      return (
        (Array.isArray(slots.values) && slots.values.every(isScalar)) ||
        isUserVar(vocab, slots.values, field.kind, true)
      );
    case "relative":
      return (
        typeof slots.amount === "number" && units.some((unit) => unit.value === slots.unit)
      );
    case "period":
      return units.some((unit) => unit.value === slots.unit);
  }
  return false;
}

// -- reading and writing -----------------------------------------------------------------

export function fieldOf(vocab: Vocabulary, name: string): ConditionField | undefined {
  return vocab.fields.find((field) => field.name === name);
}

export function operatorsOf(vocab: Vocabulary, field: ConditionField | undefined) {
  return field ? (vocab.operators[field.kind] ?? []) : [];
}

/** `json` as a row, when one of the operators of its field's kind reads it. */
export function readRule(vocab: Vocabulary, json: Json): RuleNode | null {
  for (const candidates of Object.values(vocab.operators)) {
    for (const operator of candidates) {
      const bound = match(operator.template, json);
      if (bound === null || typeof bound.field !== "string") continue;
      const field = fieldOf(vocab, bound.field);
      if (!field) continue;
      // The first operator of the field's own kind that reads it (the order of the menu).
      for (const own of operatorsOf(vocab, field)) {
        const slots = match(own.template, json);
        if (slots === null || slots.field !== field.name) continue;
        const { field: _field, ...rest } = slots;
        if (!slotsFit(vocab, field, own, rest)) return null;
        return { type: "rule", id: nextId(), field: field.name, operator: own.id, slots: rest };
      }
      return null;
    }
  }
  return null;
}

/** Any JsonLogic as a node: a row, a group (AND/OR of a list) or raw JSON. */
export function readNode(vocab: Vocabulary, json: Json): ConditionNode {
  const rule = readRule(vocab, json);
  if (rule) return rule;
  if (isObject(json)) {
    const keys = Object.keys(json);
    const op = keys[0];
    const args = json[op];
    if (keys.length === 1 && (op === "and" || op === "or") && Array.isArray(args)) {
      return {
        type: "group",
        id: nextId(),
        op,
        children: args.map((item) => readNode(vocab, item)),
      };
    }
  }
  return { type: "raw", id: nextId(), json };
}

/** The root group of a condition (a single row or raw node is wrapped in an AND group;
 * `null` is an empty group). */
export function readCondition(vocab: Vocabulary, json: Json | undefined): GroupNode {
  if (json === null || json === undefined) return emptyGroup("and");
  const node = readNode(vocab, json);
  if (node.type === "group") return node;
  return { type: "group", id: nextId(), op: "and", children: [node] };
}

export function emptyGroup(op: "and" | "or"): GroupNode {
  return { type: "group", id: nextId(), op, children: [] };
}

/** The node as JsonLogic. */
export function writeNode(vocab: Vocabulary, node: ConditionNode): Json {
  if (node.type === "raw") return node.json;
  if (node.type === "group") return { [node.op]: node.children.map((c) => writeNode(vocab, c)) };
  const field = fieldOf(vocab, node.field);
  const operator = operatorsOf(vocab, field).find((op) => op.id === node.operator);
  if (!operator) return { var: node.field };
  return fill(operator.template, { ...node.slots, field: node.field });
}

/** The root group as JsonLogic; a group of one row is written as that row unless
 * `keepGroup` (so a condition read from a plain comparison is written back the same). */
export function writeCondition(vocab: Vocabulary, root: GroupNode): Json {
  if (root.children.length === 1 && root.children[0].type !== "group") {
    return writeNode(vocab, root.children[0]);
  }
  return writeNode(vocab, root);
}

/** JSON pointer (into the written condition) → the id of the node written there. */
export function pointerIndex(root: GroupNode): Map<string, string> {
  const index = new Map<string, string>();
  const single = root.children.length === 1 && root.children[0].type !== "group";
  if (single) {
    index.set("", root.children[0].id);
    return index;
  }
  const walk = (node: ConditionNode, pointer: string) => {
    index.set(pointer, node.id);
    if (node.type === "group") {
      node.children.forEach((child, i) => walk(child, `${pointer}/${node.op}/${i}`));
    }
  };
  walk(root, "");
  return index;
}

/** The id of the deepest node that `pointer` (a problem's) falls in. */
export function nodeAt(index: Map<string, string>, pointer: string): string | undefined {
  let best: string | undefined;
  let length = -1;
  for (const [prefix, id] of index) {
    const inside = pointer === prefix || pointer.startsWith(prefix + "/");
    if (inside && prefix.length > length) {
      best = id;
      length = prefix.length;
    }
  }
  return best;
}

/** A new row for `field` with its kind's first operator and empty values. */
export function newRule(vocab: Vocabulary, field: ConditionField): RuleNode {
  const operator = operatorsOf(vocab, field)[0];
  const node: RuleNode = {
    type: "rule",
    id: nextId(),
    field: field.name,
    operator: operator?.id ?? "",
    slots: {},
  };
  if (operator) node.slots = defaultSlots(vocab, field, operator);
  return node;
}

/** Empty values of the right shape for `operator` (kept where the old ones fit). */
export function defaultSlots(
  vocab: Vocabulary,
  field: ConditionField,
  operator: BuilderOperator,
  old: Slots = {},
): Slots {
  const empty = field.kind === "number" || field.kind === "user" ? null : "";
  switch (operator.operand) {
    case "none":
      return {};
    case "value":
      if (field.kind === "choice") return { value: field.options?.[0]?.value ?? "" };
      return { value: "value" in old && isScalar(old.value) ? old.value : empty };
    case "range":
      return { low: old.low ?? empty, high: old.high ?? empty };
    case "values":
      return { values: Array.isArray(old.values) ? old.values : [] };
    case "relative":
      return { amount: typeof old.amount === "number" ? old.amount : 7, unit: "day" };
    case "period":
      return { unit: "month" };
  }
  return {};
}

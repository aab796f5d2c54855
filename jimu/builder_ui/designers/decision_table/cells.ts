// The grid's cells (pure, no Vue): a cell is the condition builder's JsonLogic on one input
// (`{"==": [{"var": "type"}, "download"]}`), null for "any". The templates come from the
// server's vocabulary, and `fill` / `match` are the builder's own (shared/condition/model.ts),
// so the grid writes exactly what the engine reads (jimu/engines/rule/decision_cells.py).
import {
  fill,
  match,
  type BuilderOperator,
  type ConditionField,
  type Json,
  type Slots,
  type Vocabulary,
} from "../shared/condition/model";
import type { TableInput } from "./types";

export const ANY = "any";

export interface ReadCell {
  kind: string;
  slots: Slots;
}

export function inputName(input: TableInput): string {
  return input.name || input.field || "";
}

/** The input as the value editors see a field: its kind, value type and options. */
export function inputField(input: TableInput, vocab: Vocabulary | null): ConditionField {
  const name = inputName(input);
  const found = input.field ? vocab?.fields.find((f) => f.name === input.field) : undefined;
  if (found) return { ...found, name };
  const type = input.type || "text";
  return {
    name,
    label: { en: input.label?.en || name, zh: input.label?.zh || name },
    type: "formula",
    kind: type,
    value_type: type,
    system: false,
  };
}

/** The cell kinds an input offers (a select field's are the choice ones). */
export function kindsOf(field: ConditionField, byType: Record<string, string[]>): string[] {
  if (field.kind === "choice") return byType.choice ?? [];
  return byType[field.value_type] ?? [];
}

/** The builder operator of a cell kind (its template, operand and label). */
export function operatorOf(vocab: Vocabulary, id: string): BuilderOperator | undefined {
  for (const list of Object.values(vocab.operators)) {
    const found = list.find((op) => op.id === id && op.id !== "in_period");
    if (found) return found;
  }
  return undefined;
}

/** The kind and slots of `cell` on input `name`, or null when it is no cell of the grid. */
export function readCell(cell: Json, name: string, kinds: string[], vocab: Vocabulary): ReadCell | null {
  if (cell === null || cell === undefined) return { kind: ANY, slots: {} };
  for (const kind of kinds) {
    const operator = operatorOf(vocab, kind);
    const slots = operator ? match(operator.template, cell) : null;
    if (slots && slots.field === name) {
      const { field: _field, ...rest } = slots;
      void _field;
      return { kind, slots: rest };
    }
  }
  return null;
}

/** The JsonLogic of a cell (null: any). */
export function writeCell(kind: string, slots: Slots, name: string, vocab: Vocabulary): Json {
  if (kind === ANY) return null;
  const operator = operatorOf(vocab, kind);
  if (!operator) return null;
  return fill(operator.template, { ...slots, field: name });
}

/** Empty slots for an operator's operand (what the admin then fills in). */
export function emptySlots(operator: BuilderOperator, previous: Slots): Slots {
  switch (operator.operand) {
    case "value":
      return { value: previous.value ?? previous.low ?? null };
    case "range":
      return { low: previous.low ?? previous.value ?? null, high: previous.high ?? null };
    case "values":
      return { values: Array.isArray(previous.values) ? previous.values : [] };
    default:
      return {};
  }
}

/** Move item `from` to `to` in place (columns move their cells in every row too). */
export function moveItem<T>(list: T[], from: number, to: number): void {
  if (to < 0 || to >= list.length) return;
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
}

// Approver entries in words for the cards ("Role: Manager", "Initiator's manager (2 up)").
import type { FlowBoot } from "./types";
import { labelIn } from "./types";

type Translate = (key: string, values?: Record<string, unknown>) => string;

export function entryWords(entry: Record<string, unknown>, boot: FlowBoot, t: Translate): string {
  const kind = String(entry.kind);
  const name = t(`designer.flow.who_${kind}`);
  if (kind === "user") return `${name}: ${boot.users.find((u) => u.id === entry.id)?.label ?? "?"}`;
  if (kind === "department") return `${name}: ${boot.departments.find((d) => d.id === entry.id)?.label ?? "?"}`;
  if (kind === "role" || kind === "round_robin") {
    const role = boot.roles.find((r) => r.name === entry.role);
    return `${name}: ${role ? labelIn(role.label, boot.lang, role.name) : "?"}`;
  }
  if (kind === "field") return `${name}: ${String(entry.field ?? "?")}`;
  if (kind === "manager" && entry.level) return `${name} (${String(entry.level)})`;
  if (kind === "manager_chain") return `${name} (${String(entry.levels ?? 1)})`;
  return name;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const SIGNS: Record<string, string> = { "==": "=", "!=": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤", in: "∈" };

/** A branch condition, short, for its card: "Amount > 100000"; "…" past what it can say. */
export function conditionWords(
  condition: Json,
  vocabulary: { fields: { name: string; label: { en?: string; zh?: string } }[] } | null,
  lang: "en" | "zh",
): string {
  const fieldName = (name: string): string => {
    const bare = name.startsWith("record.") ? name.slice(7) : name;
    const field = vocabulary?.fields.find((f) => f.name === bare);
    return field ? labelIn(field.label, lang, bare) : bare;
  };
  const say = (c: Json): string => {
    if (c === null || typeof c !== "object" || Array.isArray(c)) return JSON.stringify(c);
    const [op] = Object.keys(c);
    const args = op ? c[op] : null;
    if ((op === "and" || op === "or") && Array.isArray(args)) {
      const joiner = op === "and" ? (lang === "zh" ? " 且 " : " and ") : lang === "zh" ? " 或 " : " or ";
      return args.map(say).join(joiner);
    }
    if (op && SIGNS[op] && Array.isArray(args) && args.length === 2) {
      const [left, right] = args;
      const v = left && typeof left === "object" && !Array.isArray(left) ? left.var : undefined;
      if (typeof v === "string") return `${fieldName(v)} ${SIGNS[op]} ${JSON.stringify(right)}`;
    }
    return "…";
  };
  return say(condition);
}

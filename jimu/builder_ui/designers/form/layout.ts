// Pure edits of a form layout's sections (the designer commits after each one).
import type { FormDocument, Label, SectionDoc } from "./types";

/** The tabs the layout already uses, each once, in order of first appearance. */
export function tabsOf(doc: FormDocument): Label[] {
  const seen = new Map<string, Label>();
  for (const section of doc.sections) {
    const tab = cleanLabel(section.tab);
    if (tab) seen.set(JSON.stringify(Object.entries(tab).sort()), tab);
  }
  return [...seen.values()];
}

/** A label without empty texts, or undefined when nothing is left. */
export function cleanLabel(label: Label | undefined): Label | undefined {
  if (!label) return undefined;
  const kept = Object.fromEntries(Object.entries(label).filter(([, text]) => text.trim()));
  return Object.keys(kept).length ? kept : undefined;
}

export function newSection(n: number): SectionDoc {
  return { title: { en: `Section ${n}`, zh: `分组 ${n}` }, columns: 2, fields: [] };
}

/** Move `name` to position `index` of section `to` (out of wherever it was). */
export function placeField(doc: FormDocument, name: string, to: number, index?: number): void {
  for (const section of doc.sections) {
    const at = section.fields.indexOf(name);
    if (at >= 0) section.fields.splice(at, 1);
  }
  const target = doc.sections[to].fields;
  target.splice(index === undefined ? target.length : Math.min(index, target.length), 0, name);
}

export function moveItem<T>(list: T[], index: number, delta: number): boolean {
  const target = index + delta;
  if (target < 0 || target >= list.length) return false;
  const [item] = list.splice(index, 1);
  list.splice(target, 0, item);
  return true;
}

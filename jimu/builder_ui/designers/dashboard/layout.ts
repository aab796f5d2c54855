// Grid arithmetic of the dashboard designer (pure): where a new chart fits, moving and sizing
// one by the keyboard inside the 12 columns, and unique ids.
import type { DashboardItem } from "./types";

export type Box = Pick<DashboardItem, "x" | "y" | "w" | "h">;

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The first place (top to bottom, left to right) where a w × h chart overlaps nothing. */
export function firstFree(items: Box[], w: number, h: number, columns = 12): { x: number; y: number } {
  const width = Math.min(w, columns);
  for (let y = 0; ; y += 1) {
    for (let x = 0; x + width <= columns; x += 1) {
      const box = { x, y, w: width, h };
      if (!items.some((item) => overlaps(box, item))) return { x, y };
    }
  }
}

/** `box` moved by (dx, dy), kept inside the columns and above row 0. */
export function moved(box: Box, dx: number, dy: number, columns = 12): { x: number; y: number } {
  return {
    x: Math.max(0, Math.min(columns - box.w, box.x + dx)),
    y: Math.max(0, box.y + dy),
  };
}

/** A width inside the grid from column `x`, and a height of 1 … 24 rows. */
export function sized(box: Box, w: number, h: number, columns = 12): { w: number; h: number } {
  return {
    w: Math.max(1, Math.min(columns - box.x, Math.round(w) || 1)),
    h: Math.max(1, Math.min(24, Math.round(h) || 1)),
  };
}

/** `wanted` (made a valid name), or `wanted_2`, `wanted_3` … when taken. */
export function uniqueId(wanted: string, taken: string[]): string {
  const base = (wanted.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "") || "item").slice(0, 56);
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i += 1) if (!taken.includes(`${base}_${i}`)) return `${base}_${i}`;
}

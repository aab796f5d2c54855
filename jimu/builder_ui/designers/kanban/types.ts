// What the kanban page boots with (jimu/builder_ui/pages/records/kanban_page.py).
import type { Boot } from "../shared/bootData";

export interface KanbanColumn {
  value: string | null;
  label: string;
  color: string;
}

export interface KanbanCard {
  id: number;
  version: number;
  title: string;
  url: string;
  group: string | null;
  movable: boolean;
  fields: { label: string; text: string }[];
}

export interface KanbanBoot extends Boot {
  app: string;
  entity: string;
  field: string;
  required: boolean;
  columns: KanbanColumn[];
  cards: KanbanCard[];
  records_url: string;
  truncated: boolean;
}

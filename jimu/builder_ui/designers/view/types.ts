// The view document (jimu/metadata/views.py) and what the view designer's page boots with.
import type { Boot } from "../shared/bootData";
import type { Json } from "../shared/condition/model";

export interface ViewColumn {
  field: string;
  width?: number;
}

export interface ViewDocument {
  kind: "view";
  entity: string;
  name: string;
  type: "table" | "kanban" | "calendar";
  label?: { en?: string; zh?: string };
  columns?: ViewColumn[];
  filter?: Json;
  sort?: string[];
  page_size?: number;
  group_by?: string;
  date_field?: string;
  /** The form layout its "New" button and record links open (none: the default one). */
  form?: string;
  [key: string]: unknown;
}

export interface ViewBoot extends Boot {
  document: ViewDocument;
  version: number;
  status: string;
  published_version: number | null;
  app: string;
  entity: string;
  view: string;
  api: string;
  list_url: string;
  page_sizes: number[];
  /** The entity's layouts a view may open (public forms left out), the default first. */
  layouts: { name: string; label: string }[];
}

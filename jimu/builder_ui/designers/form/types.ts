// The form document as the form designer edits it (jimu/metadata/schemas.py `form_schema`).
import type { Boot } from "../shared/bootData";

export type Label = Record<string, string>;

export interface SectionDoc {
  title?: Label;
  columns?: number;
  /** Sections with the same tab label form one tab; none: above the tabs. */
  tab?: Label;
  fields: string[];
}

export interface FormDocument {
  kind: "form";
  entity: string;
  name: string;
  label?: Label;
  sections: SectionDoc[];
  public?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FieldInfo {
  name: string;
  label: string;
  type: string;
  type_label: string;
}

export interface LayoutInfo {
  name: string;
  label: string;
  public: boolean;
  status: string;
}

export interface FormBoot extends Boot {
  app: string;
  entity: string;
  form: string;
  document: FormDocument;
  version: number;
  status: string;
  published_version: number | null;
  fields: FieldInfo[];
  layouts: LayoutInfo[];
  api: string;
  preview_url: string;
  entity_url: string;
  forms_url: string;
  /** The layout's new-record form in the app (once published; none for a public form). */
  app_url: string | null;
}

// The app document as the app designer edits it (jimu/metadata/app_menu.py has the schema).
export type Label = Record<string, string>;

export type MenuLeaf =
  | string
  | { type: "entity"; entity: string; label?: Label }
  | { type: "dashboard"; dashboard: string; label?: Label }
  | { type: "link"; label: Label; url: string };

export interface MenuGroup {
  type: "group";
  label: Label;
  items: MenuLeaf[];
}

export type MenuItem = MenuLeaf | MenuGroup;

export interface AppDocument {
  kind: "app";
  name: string;
  label: Label;
  description?: Label;
  icon?: string;
  color?: string;
  time_zone?: string;
  menu?: MenuItem[];
  [key: string]: unknown;
}

export interface Named {
  name: string;
  label: string;
}

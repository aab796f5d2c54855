// What /api/org and /api/apps/{app}/roles answer (see docs/org.md).
import type { Boot } from "../shared/bootData";

export interface Member {
  user_id: number;
  username: string;
  display_name: string;
  is_main: boolean;
  is_leader: boolean;
}

export interface Department {
  id: number;
  name: string;
  parent_id: number | null;
  sort_order: number;
  external_id: string | null;
  members: Member[];
  children: Department[];
}

export interface Membership {
  department_id: number;
  is_main: boolean;
  is_leader: boolean;
}

export interface Person {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  is_admin: boolean;
  is_active: boolean;
  must_change_password: boolean;
  manager_id: number | null;
  away_from: string | null;
  away_until: string | null;
  departments: Membership[];
}

export interface GivenAccess {
  temporary_password: string | null;
  invite_path: string | null;
  invite_url: string | null;
  expires_at: string | null;
}

export interface Holder {
  id: number;
  user_id?: number;
  department_id?: number;
  name: string;
}

export interface Role {
  name: string;
  label: Record<string, string>;
  members: Holder[];
}

export interface HeldRole {
  id: number;
  app: string;
  role: string;
  user_id: number | null;
  department_id: number | null;
}

export interface OrgBoot extends Boot {
  apps: { name: string; label: string }[];
  me: number;
  import_url: string;
  audit_url: string;
}

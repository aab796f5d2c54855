// The app's decision tables (GET /api/apps/{app}/decision-tables), loaded once per page: the
// table picker of the decision_table action and its output_map editors read them.
import { reactive } from "vue";
import { callApi } from "../shared/api";
import type { Label } from "../shared/condition/model";

export interface TableOutput {
  name: string;
  type?: string;
}

export interface TableSummary {
  name: string;
  label?: Partial<Label> | null;
  entity: string;
  outputs: TableOutput[];
  published_version: number | null;
}

const state = reactive<{ loaded: boolean; tables: TableSummary[] }>({ loaded: false, tables: [] });
let loading = false;

export function decisionTables(api: string, csrf: string): { loaded: boolean; tables: TableSummary[] } {
  if (!loading) {
    loading = true;
    callApi<TableSummary[]>("GET", `${api}/decision-tables`, csrf).then(
      (tables) => {
        state.tables = tables;
        state.loaded = true;
      },
      () => (state.loaded = true),
    );
  }
  return state;
}

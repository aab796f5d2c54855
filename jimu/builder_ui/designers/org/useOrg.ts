// The store of the organisation designer, provided by its root.
import { inject, type InjectionKey } from "vue";
import type { OrgStore } from "./store";

export const ORG_STORE: InjectionKey<OrgStore> = Symbol("organisation store");

export function useOrg(): OrgStore {
  const store = inject(ORG_STORE);
  if (!store) throw new Error("useOrg() outside the organisation designer");
  return store;
}

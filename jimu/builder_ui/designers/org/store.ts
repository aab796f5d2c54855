// The designer's state: the tree and the users as the server has them, every change a call
// to the API followed by a reload; a refused change pins the server's errors (their pointers
// prefixed by the form that sent them, e.g. "/department" + "/parent_id").
import { computed, reactive } from "vue";
import { callApi, ProblemError } from "../shared/api";
import type { PinnedErrors } from "../shared/errors";
import type { Department, Person } from "./types";

type Method = "GET" | "PUT" | "PATCH" | "POST" | "DELETE";

export interface FlatDepartment {
  id: number;
  name: string;
  depth: number;
  path: string;
}

export function flatten(tree: Department[], depth = 0, path = ""): FlatDepartment[] {
  return tree.flatMap((d) => {
    const here = path ? `${path} / ${d.name}` : d.name;
    return [{ id: d.id, name: d.name, depth, path: here }, ...flatten(d.children, depth + 1, here)];
  });
}

export function findDepartment(tree: Department[], id: number | null): Department | null {
  for (const d of tree) {
    if (d.id === id) return d;
    const found = findDepartment(d.children, id);
    if (found) return found;
  }
  return null;
}

/** Says a server problem in the page's language: `designer.org.error_<code>_<field>`, else
 * `designer.org.error_<code>`, else the server's own (English) words. */
export type Translate = (code: string | undefined, pointer: string, fallback: string) => string;

export function createOrgStore(csrf: string, pinned: PinnedErrors, say: Translate) {
  const state = reactive({
    tree: [] as Department[],
    people: [] as Person[],
    message: "",
    messageKind: "success" as "success" | "error",
    busy: false,
  });
  const departments = computed(() => flatten(state.tree));

  async function loadTree() {
    state.tree = await callApi<Department[]>("GET", "/api/org/departments", csrf);
  }

  async function loadPeople() {
    state.people = await callApi<Person[]>("GET", "/api/org/users", csrf);
  }

  /** Send one change; on success say `done` and reload, on a problem pin its errors. */
  async function change<T>(
    prefix: string,
    method: Method,
    url: string,
    body: unknown,
    done: string,
  ): Promise<T | null> {
    return changeMany<T>(prefix, [[method, url, body]], done);
  }

  /** Send changes one after the other (stopping at the first refused), then reload; the
   * last one's answer. */
  async function changeMany<T>(
    prefix: string,
    calls: [Method, string, unknown][],
    done: string,
  ): Promise<T | null> {
    pinned.clear();
    state.busy = true;
    try {
      let answer: T | null = null;
      for (const [method, url, body] of calls) answer = await callApi<T>(method, url, csrf, body);
      await Promise.all([loadTree(), loadPeople()]);
      state.message = done;
      state.messageKind = "success";
      return answer;
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      const problem = error.problem;
      const errors = problem.errors.map((e) => ({
        ...e,
        pointer: prefix + e.pointer,
        message: say(e.code, e.pointer, e.message),
      }));
      pinned.set(errors);
      state.message = errors.length === 1 && errors[0].message !== problem.errors[0].message
        ? errors[0].message
        : problem.detail || problem.title;
      state.messageKind = "error";
      await Promise.all([loadTree(), loadPeople()]);
      return null;
    } finally {
      state.busy = false;
    }
  }

  /** Show a refusal the designer decided itself (before asking the server). */
  function refuse(text: string) {
    state.message = text;
    state.messageKind = "error";
  }

  return { state, departments, loadTree, loadPeople, change, changeMany, refuse };
}

export type OrgStore = ReturnType<typeof createOrgStore>;

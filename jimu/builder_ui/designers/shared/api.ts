// fetch for the designers: JSON in and out, the session's CSRF token on unsafe methods, and
// problem+json answers turned into a ProblemError whose `errors` carry JSON pointers.
export interface FieldProblem {
  pointer: string;
  message: string;
  code?: string;
}

export interface Problem {
  status: number;
  title: string;
  detail: string;
  code?: string;
  errors: FieldProblem[];
}

export class ProblemError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
}

export async function callApi<T>(
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE",
  url: string,
  csrfToken: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = (data ?? {}) as Partial<Problem>;
    throw new ProblemError({
      status: response.status,
      title: problem.title ?? response.statusText,
      detail: problem.detail ?? response.statusText,
      code: problem.code,
      errors: problem.errors ?? [],
    });
  }
  return data as T;
}

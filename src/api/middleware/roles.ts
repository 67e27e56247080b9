import type { Role } from "../../config/env";

const READ = new Set(["GET", "HEAD", "OPTIONS"]);

/** What an operator may do besides reading: start, resume and cancel runs; validate a definition. */
const OPERATOR_WRITES: ReadonlyArray<{ method: string; path: RegExp }> = [
  { method: "POST", path: /^\/v1\/executions\/?$/ },
  { method: "POST", path: /^\/v1\/executions\/[^/]+\/(resume|cancel)\/?$/ },
  { method: "POST", path: /^\/v1\/executions\/[^/]+\/waits\/[^/]+\/(resend|reassign)\/?$/ },
  { method: "POST", path: /^\/v1\/workflows\/validate\/?$/ },
];

/** Whether a key with `role` may call `method path` (the whole role table: docs/api.md, Roles). */
export function roleAllows(role: Role, method: string, path: string): boolean {
  if (role === "admin" || READ.has(method)) return true;
  if (role === "reader") return false;
  return OPERATOR_WRITES.some((w) => w.method === method && w.path.test(path));
}

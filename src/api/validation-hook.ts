import type { Hook } from "@hono/zod-openapi";
import { AppError } from "../lib/errors";
import type { AppEnv } from "./app-env";

type Issue = { path: PropertyKey[]; message: string };

/** Formats a zod path as `steps[2].next`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    const k = String(key);
    return acc === "" ? k : `${acc}.${k}`;
  }, "");
}

/** The one validation-error shape for request params, query and bodies: 422 with each issue's path. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type.
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  const issues = (result.error as { issues: Issue[] }).issues;
  throw new AppError(
    "validation_failed",
    `Request ${result.target} is invalid`,
    issues.map((i) => ({ path: formatPath(i.path), message: i.message, in: result.target })),
  );
};

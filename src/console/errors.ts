import type { Context } from "hono";
import { statusOf } from "../api/errors";
import type { ConsoleEnv } from "./console-env";
import { consolePage } from "./ui/respond";

/**
 * The console's onError: every answer is a page. A client error (a bad filter, an unknown run, a
 * refused role) shows its own message at its own status; anything else is logged and answered with a
 * page quoting the request id.
 */
export function consoleErrorPage(err: Error, c: Context<ConsoleEnv>): Promise<Response> {
  const status = statusOf(err);
  if (status < 500) return consolePage(c, status, titleFor(status), err.message);
  c.get("logger")?.error("console page failed", { error: err.message, stack: err.stack });
  return consolePage(
    c,
    500,
    "Something went wrong",
    `This page could not be shown. If it keeps happening, quote request id ${c.get("requestId") ?? "unknown"}.`,
  );
}

function titleFor(status: number): string {
  if (status === 404) return "Not found";
  if (status === 403) return "Not allowed";
  if (status === 401) return "Sign in first";
  return "This request could not be handled";
}

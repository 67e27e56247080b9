import type { Context } from "hono";
import type { AppEnv } from "../api/app-env";
import { statusOf } from "../api/errors";
import { AppError } from "../lib/errors";
import { errorPage } from "./link-pages";

/** True for the errors the token check reports (not valid, expired). */
export const isTokenError = (e: unknown): e is AppError =>
  e instanceof AppError && (e.code === "unauthorized" || e.code === "gone" || e.code === "not_found");

/** The page for a link that failed verification or lookup: 401 not valid, 410 expired. */
export function tokenErrorPage(e: AppError): Response {
  if (e.code === "gone") {
    return errorPage(
      410,
      "This link has expired",
      "The time to respond has passed, so this link no longer works. If something is still needed from you, ask the sender for a new request.",
    );
  }
  return errorPage(
    401,
    "This link is not valid",
    "Check that you opened the complete link from your email. Links are personal and stop working when they are changed.",
  );
}

/** The page for anything unexpected: no internals, only the request id to quote. */
export function internalErrorPage(requestId: string | undefined): Response {
  return errorPage(
    500,
    "Something went wrong",
    `Your response could not be processed. Please try again in a moment. If it keeps happening, quote request id ${requestId ?? "unknown"}.`,
  );
}

/**
 * The links sub-app's onError: people holding a link get a page, never JSON. Token problems get
 * their pages, other client errors (a post over 1 MiB: 413) their own message at their own status,
 * anything else is logged and answered with the 500 page.
 */
export function linkErrorPage(err: Error, c: Context<AppEnv>): Response {
  if (isTokenError(err)) return tokenErrorPage(err);
  const status = statusOf(err);
  if (status < 500) return errorPage(status, "This request could not be handled", err.message);
  c.get("logger")?.error("human page failed", { error: err.message, stack: err.stack });
  return internalErrorPage(c.get("requestId"));
}

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorCode, type ErrorDetail } from "../lib/errors";
import type { AppEnv } from "./app-env";

/** The one table from domain error codes to HTTP statuses. */
export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  misconfigured: 500,
  internal: 500,
};

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  410: "gone",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "validation_failed",
};

/** The error envelope body every 4xx/5xx uses. */
export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

/** The status an error answers with: its code's (AppError), its own (HTTPException), else 500. */
export function statusOf(err: unknown): ContentfulStatusCode {
  if (err instanceof AppError) return STATUS_BY_CODE[err.code];
  if (err instanceof HTTPException) return err.status as ContentfulStatusCode;
  return 500;
}

/** Turns anything thrown into the JSON envelope; unexpected errors are logged and answered without internals. */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  const status = statusOf(err);
  if (err instanceof AppError) {
    if (status >= 500) {
      c.get("logger")?.error("configuration error", { code: err.code, error: err.message });
    }
    return c.json(errorBody(err.code, err.message, err.details), status);
  }
  if (err instanceof HTTPException) {
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? "internal" : "bad_request");
    const message =
      status === 400 && /json/i.test(err.message)
        ? "Malformed JSON in request body"
        : status === 413
          ? "Request body is larger than 1 MiB"
          : err.message || "Request failed";
    return c.json(errorBody(code, message), status);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  c.get("logger")?.error("unhandled error", { error: e.message, stack: e.stack });
  const requestId = c.get("requestId");
  return c.json(
    errorBody("internal", `Internal error; quote request id ${requestId ?? "unknown"} when reporting it`),
    500,
  );
}

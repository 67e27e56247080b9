/** Domain error codes; the HTTP status of each is decided in one table at the edge (api/errors.ts). */
export type ErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "gone"
  | "payload_too_large"
  | "unsupported_media_type"
  | "idempotency_mismatch"
  | "misconfigured"
  | "internal";

export interface ErrorDetail {
  path?: string;
  message: string;
  line?: number;
  column?: number;
  keyword?: string;
  [key: string]: unknown;
}

/** An error a user can act on: it carries a code, a message and optional per-item details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

import { AppError, type ErrorCode } from "../lib/errors";
import type { RunSnapshot } from "./snapshot";

/**
 * What crosses the Durable Object RPC boundary: errors as data, since classes do not survive it.
 * Details travel as JSON text so the RPC type stays serialisable.
 */
export type RpcResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; details?: string } };

export const rpcOk = <T>(value: T): RpcResult<T> => ({ ok: true, value });

/** Converts an AppError into an RPC failure; anything else is rethrown (a real bug). */
export function rpcFail(e: unknown): RpcResult<never> {
  if (e instanceof AppError) {
    return {
      ok: false,
      error: {
        code: e.code,
        message: e.message,
        ...(e.details ? { details: JSON.stringify(e.details) } : {}),
      },
    };
  }
  throw e;
}

/** Runs `fn` with its domain errors returned as data, then `after` (whatever happened). */
export async function settled<T>(fn: () => Promise<T>, after: () => void): Promise<RpcResult<T>> {
  try {
    return rpcOk(await fn());
  } catch (e) {
    return rpcFail(e);
  } finally {
    after();
  }
}

/** Unwraps an RPC result on the caller's side, rethrowing the domain error. */
export function unwrap<T>(r: RpcResult<T>): T {
  if (r.ok) return r.value;
  throw new AppError(
    r.error.code,
    r.error.message,
    r.error.details ? JSON.parse(r.error.details) : undefined,
  );
}

/**
 * Unwraps what a run's object answers. Its RPC type is lost across the stub (the run's context holds
 * `unknown` JSON, which the RPC type mapping cannot prove serialisable), so it is restored here, once.
 */
export const unwrapRun = (r: unknown): RunSnapshot => unwrap(r as RpcResult<RunSnapshot>);

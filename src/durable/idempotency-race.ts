import { AppError } from "../lib/errors";

// Two starts with one Idempotency-Key can both miss the existing run and race to create it: the unique
// index on (created_by, idempotency_key) lets one win; the other's batch fails with this message.
const RACE = /UNIQUE constraint failed: runs\.created_by, runs\.idempotency_key/i;

/** The error a start's first commit throws: a lost idempotency race becomes a 409, anything else stays. */
export function startCommitError(e: unknown): unknown {
  if (e instanceof Error && RACE.test(`${e.message} ${String(e.cause ?? "")}`)) {
    return new AppError("conflict", "idempotency_race");
  }
  return e;
}

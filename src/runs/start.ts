import { findByIdempotencyKey, type RunRecord } from "../db/run-queries";
import { latestLiveVersion } from "../db/workflow-store";
import { loadDefinition } from "../definitions/cache";
import { unwrapRun } from "../durable/rpc";
import type { RunSnapshot } from "../durable/run-coordinator";
import { AppError } from "../lib/errors";
import { canonicalJson, sha256Hex } from "../lib/hash";
import { newId } from "../lib/ids";
import { fieldPath } from "../lib/json-pointer";
import { compileSchema, type SchemaError } from "../lib/json-schema";

export interface StartInput {
  workflow_id: string;
  version?: number;
  inputs?: Record<string, unknown>;
  profile?: Record<string, unknown>;
}

const inputPath = (e: SchemaError) => fieldPath(e.path, "inputs");

/** The run an earlier request with the same key started, or a 422 when that request's body differed. */
function replay(existing: RunRecord, hash: string): { run: RunSnapshot; created: false } {
  if (existing.requestHash !== hash) {
    throw new AppError(
      "idempotency_mismatch",
      "This Idempotency-Key was already used with a different request body",
      [{ path: "Idempotency-Key", message: `already used for run ${existing.id}` }],
    );
  }
  return { run: { record: existing }, created: false };
}

/** Starts a run (or returns the one an identical earlier request started) and drives it to its first stop. */
export async function startRun(
  env: Env,
  principal: string,
  input: StartInput,
  idempotencyKey: string | undefined,
): Promise<{ run: RunSnapshot; created: boolean }> {
  const hash = await sha256Hex(canonicalJson(input));
  if (idempotencyKey) {
    const existing = await findByIdempotencyKey(env.DB, principal, idempotencyKey);
    if (existing) return replay(existing, hash);
  }
  // A small read: the definition itself comes from the per-isolate cache after the first run.
  const latest = await latestLiveVersion(env.DB, input.workflow_id);
  if (latest === null) throw new AppError("not_found", `Workflow '${input.workflow_id}' not found`);
  const version = { version: input.version ?? latest };
  const def = await loadDefinition(env.DB, input.workflow_id, version.version);
  if (!def)
    throw new AppError("not_found", `Workflow '${input.workflow_id}' has no version ${version.version}`);
  const inputs = input.inputs ?? {};
  if (def.inputs !== undefined) {
    const result = compileSchema(def.inputs)(inputs);
    if (!result.valid) {
      throw new AppError(
        "validation_failed",
        "inputs do not match the workflow's inputs schema",
        result.errors.map((e) => ({ path: inputPath(e), keyword: e.keyword, message: e.message })),
      );
    }
  }
  const runId = newId("run");
  const stub = env.RUNS.get(env.RUNS.idFromName(runId));
  const result = await stub.start({
    runId,
    workflowId: def.id,
    workflowVersion: version.version,
    inputs,
    profile: input.profile ?? {},
    origin: { createdBy: principal, idempotencyKey: idempotencyKey ?? null, requestHash: hash },
  });
  if (!result.ok && result.error.message === "idempotency_race" && idempotencyKey) {
    const winner = await findByIdempotencyKey(env.DB, principal, idempotencyKey);
    if (winner) return replay(winner, hash);
  }
  return { run: unwrapRun(result), created: true };
}

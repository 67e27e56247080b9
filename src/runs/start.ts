import { loadDefinition } from "../definitions/cache";
import { latestVersion } from "../definitions/latest-version";
import type { Definition } from "../definitions/types";
import { runStub } from "../durable/address";
import { type RpcResult, unwrap } from "../durable/rpc";
import type { RunSnapshot } from "../durable/run-coordinator";
import { AppError } from "../lib/errors";
import { canonicalJson, sha256Hex } from "../lib/hash";
import { idNamedBy, newId } from "../lib/ids";
import { fieldPath } from "../lib/json-pointer";
import { compileSchema, type SchemaError } from "../lib/json-schema";
import type { ParentLink } from "../run-db/parent";

export interface StartInput {
  workflow_id: string;
  version?: number;
  inputs?: Record<string, unknown>;
  profile?: Record<string, unknown>;
}

const inputPath = (e: SchemaError) => fieldPath(e.path, "inputs");

/** The run an earlier request with the same key started, or a 422 when that request's body differed. */
function replay(existing: RunSnapshot, hash: string): { run: RunSnapshot; created: false } {
  if (existing.record.requestHash !== hash) {
    throw new AppError(
      "idempotency_mismatch",
      "This Idempotency-Key was already used with a different request body",
      [{ path: "Idempotency-Key", message: `already used for run ${existing.record.id}` }],
    );
  }
  return { run: existing, created: false };
}

/** The workflow version a start runs, with its inputs checked against the workflow's schema. */
async function resolveStart(env: Env, input: StartInput): Promise<{ def: Definition; version: number }> {
  // Both from per-isolate caches after the first run (latest-version.ts, cache.ts).
  const latest = await latestVersion(env.DB, input.workflow_id);
  if (latest === null) throw new AppError("not_found", `Workflow '${input.workflow_id}' not found`);
  const version = input.version ?? latest;
  const def = await loadDefinition(env.DB, input.workflow_id, version);
  if (!def) throw new AppError("not_found", `Workflow '${input.workflow_id}' has no version ${version}`);
  if (def.inputs !== undefined) {
    const result = compileSchema(def.inputs)(input.inputs ?? {});
    if (!result.valid) {
      throw new AppError(
        "validation_failed",
        "inputs do not match the workflow's inputs schema",
        result.errors.map((e) => ({ path: inputPath(e), keyword: e.keyword, message: e.message })),
      );
    }
  }
  return { def, version };
}

/**
 * Starts a run (or returns the one an identical earlier request started) and drives it to its first
 * stop. With an Idempotency-Key the run id, and so the run's object, is named by the principal and the
 * key: every start with that key reaches the same object, which creates the run once.
 */
export async function startRun(
  env: Env,
  principal: string,
  input: StartInput,
  idempotencyKey: string | undefined,
  parent?: ParentLink,
): Promise<{ run: RunSnapshot; created: boolean }> {
  const hash = await sha256Hex(canonicalJson(input));
  const runId = idempotencyKey ? await idNamedBy("run", `${principal}\u0000${idempotencyKey}`) : newId("run");
  const stub = runStub(env, runId);
  // A replayed key answers its run even if the workflow changed since: ask the object alongside.
  const [existing, resolved] = await Promise.allSettled([
    idempotencyKey ? stub.existing(runId) : Promise.resolve(null),
    resolveStart(env, input),
  ]);
  if (existing.status === "rejected") throw existing.reason;
  if (existing.value) return replay(existing.value as RunSnapshot, hash);
  if (resolved.status === "rejected") throw resolved.reason;
  const { def, version } = resolved.value;
  const result = await stub.start({
    runId,
    workflowId: def.id,
    workflowVersion: version,
    inputs: input.inputs ?? {},
    profile: input.profile ?? {},
    origin: {
      ...{ createdBy: principal, idempotencyKey: idempotencyKey ?? null, requestHash: hash },
      ...(parent ? { parent } : {}),
    },
  });
  const started = unwrap(result as unknown as RpcResult<{ run: RunSnapshot; created: boolean }>);
  return started.created ? started : replay(started.run, hash);
}

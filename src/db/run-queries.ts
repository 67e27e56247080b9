import type { HumanWait, Pending, RunContext, RunError, RunStatus } from "../engine/state";
import { AppError } from "../lib/errors";

export interface RunRecord {
  id: string;
  workflowId: string;
  workflowVersion: number;
  status: RunStatus;
  currentStep: string | null;
  context: RunContext;
  error: RunError | null;
  pending: Pending | null;
  requestHash: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: RunStatus;
  current_step: string | null;
  context: string;
  error: string | null;
  pending: string | null;
  request_hash: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS =
  "id, workflow_id, workflow_version, status, current_step, context, error, pending, request_hash, created_at, updated_at";

const toRecord = (r: Row): RunRecord => ({
  id: r.id,
  workflowId: r.workflow_id,
  workflowVersion: r.workflow_version,
  status: r.status,
  currentStep: r.current_step,
  context: JSON.parse(r.context),
  error: r.error ? JSON.parse(r.error) : null,
  pending: r.pending ? JSON.parse(r.pending) : null,
  requestHash: r.request_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The API's (recipient-less) token of a run's current wait: what its status body signs. */
export interface ApiToken {
  waitId: string;
  jti: string;
  expiresAt: number;
  createdAt: number;
}

/** A wait's API token: the one minted without a recipient, while it still works. */
const OPEN_API_TOKEN = "recipient IS NULL AND used_at IS NULL AND revoked_at IS NULL";

/** A run as stored, or a 404. */
export async function getRun(db: D1Database, runId: string): Promise<RunRecord> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).bind(runId).first<Row>();
  if (!row) throw new AppError("not_found", `Run '${runId}' not found`);
  return toRecord(row);
}

/** A run and the API token of its open wait (if any), in one round trip: what a status read needs. */
export async function getRunWithApiToken(
  db: D1Database,
  runId: string,
): Promise<{ record: RunRecord; apiToken: ApiToken | null }> {
  const [runs, tokens] = await db.batch([
    db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).bind(runId),
    db
      .prepare(
        `SELECT wait_id, jti, expires_at, created_at FROM resume_tokens
         WHERE run_id = ?1 AND wait_id = (SELECT json_extract(pending, '$.waitId') FROM runs WHERE id = ?1)
           AND ${OPEN_API_TOKEN}`,
      )
      .bind(runId),
  ]);
  const row = runs?.results[0] as Row | undefined;
  if (!row) throw new AppError("not_found", `Run '${runId}' not found`);
  const t = tokens?.results[0] as
    | { wait_id: string; jti: string; expires_at: number; created_at: number }
    | undefined;
  return {
    record: toRecord(row),
    apiToken: t ? { waitId: t.wait_id, jti: t.jti, expiresAt: t.expires_at, createdAt: t.created_at } : null,
  };
}

/** The run an earlier start with this principal and Idempotency-Key created, if any. */
export async function findByIdempotencyKey(
  db: D1Database,
  principal: string,
  key: string,
): Promise<RunRecord | null> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM runs WHERE created_by = ? AND idempotency_key = ?`)
    .bind(principal, key)
    .first<Row>();
  return row ? toRecord(row) : null;
}

/** Runs newest first, optionally filtered, after the (created_at, id) of the previous page's last item. */
export async function listRuns(
  db: D1Database,
  q: { limit: number; workflowId?: string; status?: RunStatus; after?: { t: number; id: string } },
): Promise<RunRecord[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.workflowId) {
    where.push("workflow_id = ?");
    args.push(q.workflowId);
  }
  if (q.status) {
    where.push("status = ?");
    args.push(q.status);
  }
  if (q.after) {
    where.push("(created_at < ? OR (created_at = ? AND id < ?))");
    args.push(q.after.t, q.after.t, q.after.id);
  }
  const sql = `SELECT ${COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY created_at DESC, id DESC LIMIT ?`;
  const rows = await db
    .prepare(sql)
    .bind(...args, q.limit + 1)
    .all<Row>();
  return rows.results.map(toRecord);
}

/** The API's token for a wait: the one minted without a recipient. */
export async function apiTokenFor(db: D1Database, runId: string, wait: HumanWait): Promise<ApiToken | null> {
  const row = await db
    .prepare(
      `SELECT jti, expires_at, created_at FROM resume_tokens WHERE run_id = ? AND wait_id = ? AND ${OPEN_API_TOKEN}`,
    )
    .bind(runId, wait.waitId)
    .first<{ jti: string; expires_at: number; created_at: number }>();
  return row
    ? { waitId: wait.waitId, jti: row.jti, expiresAt: row.expires_at, createdAt: row.created_at }
    : null;
}

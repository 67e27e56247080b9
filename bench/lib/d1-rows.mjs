// Rows each completed run left in D1, counted per table straight from the local database.
import { queryD1 } from "./server.mjs";

const sql = (
  workflowId,
) => `WITH r AS (SELECT id, version FROM runs WHERE workflow_id = '${workflowId}' AND status = 'completed')
SELECT (SELECT COUNT(*) FROM r) AS runs,
  (SELECT COALESCE(SUM(version), 0) FROM r) AS transitions,
  (SELECT COUNT(*) FROM run_steps WHERE run_id IN (SELECT id FROM r)) AS run_steps,
  (SELECT COUNT(*) FROM events WHERE run_id IN (SELECT id FROM r)) AS events,
  (SELECT COUNT(*) FROM resume_tokens WHERE run_id IN (SELECT id FROM r)) AS resume_tokens,
  (SELECT COUNT(*) FROM mail_outbox WHERE run_id IN (SELECT id FROM r)) AS mail_outbox`;

const per = (n, runs) => Number((n / runs).toFixed(2));

/**
 * Mean rows per completed run of workflowId, per table, plus transitions (the run's version) per run.
 * Reads today's D1 tables: once the run's record lives in its object, tables that moved there are gone
 * from D1 and this throws (the caller reports why).
 */
export async function rowsPerRun(stateDir, workflowId) {
  const [row] = await queryD1(stateDir, sql(workflowId));
  if (!row || row.runs === 0) return undefined;
  const n = row.runs;
  const tables = {
    runs_rows: 1,
    run_steps: per(row.run_steps, n),
    events: per(row.events, n),
    resume_tokens: per(row.resume_tokens, n),
    mail_outbox: per(row.mail_outbox, n),
  };
  const total = Number(
    Object.values(tables)
      .reduce((s, v) => s + v, 0)
      .toFixed(2),
  );
  return { runs: n, total, ...tables, transitions: per(row.transitions, n) };
}

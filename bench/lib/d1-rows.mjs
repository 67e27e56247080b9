// Rows each completed run left in D1, counted per table straight from the local database. The run's
// record lives in its object; D1 holds the index across runs (run_index, one row per run) and whatever
// else keys rows by run_id (tables found by that column, so a new index table is counted without
// touching this file). Transitions per run come from run_index.version (the run's version).
import { queryD1 } from "./server.mjs";

const TABLES_WITH_RUN_ID = `SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p
  WHERE m.type = 'table' AND p.name = 'run_id' AND m.name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY m.name`;

const per = (n, runs) => Number((n / runs).toFixed(2));

/** Mean rows per completed run of workflowId, per table, and its transitions; undefined when none ran. */
export async function rowsPerRun(stateDir, workflowId) {
  const completed = `SELECT id FROM run_index WHERE workflow_id = '${workflowId}' AND status = 'completed'`;
  const tables = (await queryD1(stateDir, TABLES_WITH_RUN_ID)).map((r) => r.name);
  const counts = tables
    .map((t) => `(SELECT COUNT(*) FROM "${t}" WHERE run_id IN (${completed})) AS "${t}"`)
    .join(",\n  ");
  const [row] = await queryD1(
    stateDir,
    `SELECT (SELECT COUNT(*) FROM run_index WHERE id IN (${completed})) AS runs,
  (SELECT COALESCE(SUM(version), 0) FROM run_index WHERE id IN (${completed})) AS transitions${counts ? `,\n  ${counts}` : ""}`,
  );
  if (!row || row.runs === 0) return undefined;
  const n = row.runs;
  const byTable = { run_index: 1, ...Object.fromEntries(tables.map((t) => [t, per(row[t], n)])) };
  const total = Number(
    Object.values(byTable)
      .reduce((s, v) => s + v, 0)
      .toFixed(2),
  );
  return { runs: n, total, tables: byTable, transitions: per(row.transitions, n) };
}

import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { getRunSummary, type RunSummaryRow } from "../../src/db/run-index";
import { listWaits, writeRunIndex } from "../../src/db/wait-index";

// Migration 0005 rebuilds the index tables (fewer rows written per index write): what D1 held in the
// shapes 0004 left must read and write the same afterwards. This file puts its own D1 back to those
// shapes, fills them as the old code did, and runs 0005 again.

type Migration = { name: string; queries: string[] };
const MIGRATIONS = (env as unknown as { TEST_MIGRATIONS: Migration[] }).TEST_MIGRATIONS;

function queriesOf(prefix: string, keep: (q: string) => boolean = () => true): string[] {
  const m = MIGRATIONS.find((x) => x.name.startsWith(prefix));
  if (!m) throw new Error(`no migration ${prefix}`);
  return m.queries.filter(keep);
}

async function exec(queries: string[]): Promise<void> {
  for (const q of queries) await env.DB.prepare(q).run();
}

const RUN = "run_before_0005";
const OPEN = "wait_open_before";
const CLOSED = "wait_closed_before";

beforeAll(async () => {
  await exec(["DROP TABLE waits", "DROP TABLE wait_recipients", "DROP TABLE run_index"]);
  // run_index as 0001 made it (its copy of D1's runs aside) and 0004 widened it; waits as 0002 made them.
  await exec(queriesOf("0001", (q) => /CREATE (TABLE|INDEX) `run_index/.test(q)));
  await exec(queriesOf("0004", (q) => q.includes("ALTER TABLE")));
  await exec(queriesOf("0002"));
  await env.DB.prepare(
    `INSERT INTO run_index (id, workflow_id, workflow_version, status, current_step, wait_step_id, wait_type,
       wait_expires_at, version, created_by, created_at, updated_at, tokens_prompt)
     VALUES (?, 'old-flow', 1, 'waiting', 'second', 'second', 'approval', 9000, 4, 'tester', 1000, 3000, 12)`,
  )
    .bind(RUN)
    .run();
  const wait = env.DB.prepare(
    `INSERT INTO waits (wait_id, run_id, workflow_id, step_id, type, status, recipients, created_at,
       expires_at, closed_at, version) VALUES (?, ?, 'old-flow', ?, 'approval', ?, ?, ?, 9000, ?, ?)`,
  );
  const recipients = (email: string, status: string) => JSON.stringify([{ email, status }]);
  await wait.bind(CLOSED, RUN, "first", "closed", recipients("a@acme.test", "approved"), 1000, 2000, 3).run();
  await wait.bind(OPEN, RUN, "second", "open", recipients("b@acme.test", "pending"), 2000, null, 4).run();
  const recipient = env.DB.prepare("INSERT INTO wait_recipients (wait_id, email) VALUES (?, ?)");
  await recipient.bind(CLOSED, "a@acme.test").run();
  await recipient.bind(OPEN, "b@acme.test").run();
  await exec(queriesOf("0005"));
  // And the migrations after it, as a database migrated then would get them.
  for (const m of MIGRATIONS.filter((x) => x.name > "0005~")) await exec(m.queries);
});

describe("migration 0005 (lean index tables)", () => {
  it("keeps every summary, wait and recipient, and the inbox lists them as before", async () => {
    expect(await getRunSummary(env.DB, RUN)).toMatchObject({
      status: "waiting",
      version: 4,
      tokensPrompt: 12,
    });
    const all = await listWaits(env.DB, { limit: 10 });
    expect(all.map((w) => [w.waitId, w.status])).toEqual([
      [OPEN, "open"],
      [CLOSED, "closed"],
    ]);
    expect(all[1]).toMatchObject({
      closedAt: 2000,
      recipients: [{ email: "a@acme.test", status: "approved" }],
    });
    expect((await listWaits(env.DB, { limit: 10, status: "open" })).map((w) => w.waitId)).toEqual([OPEN]);
    const forA = await listWaits(env.DB, { limit: 10, recipient: "A@acme.test" });
    expect(forA.map((w) => w.waitId)).toEqual([CLOSED]);
    const page = await listWaits(env.DB, { limit: 10, workflowId: "old-flow", after: { t: 2000, id: OPEN } });
    expect(page.map((w) => w.waitId)).toEqual([CLOSED]);
  });

  it("a later write of the run closes its wait from before the migration", async () => {
    const before = await getRunSummary(env.DB, RUN);
    if (!before) throw new Error("no summary");
    const done: RunSummaryRow = {
      ...before,
      status: "completed",
      version: 5,
      updatedAt: 4000,
      finishedAt: 4000,
    };
    await writeRunIndex(env.DB, done, []);
    expect(await listWaits(env.DB, { limit: 10, status: "open" })).toEqual([]);
    const closed = await listWaits(env.DB, { limit: 10, status: "closed" });
    expect(closed.map((w) => [w.waitId, w.closedAt])).toEqual([
      [OPEN, 4000],
      [CLOSED, 2000],
    ]);
  });
});

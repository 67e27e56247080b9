import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { dueSchedules } from "../../src/db/schedules";
import worker from "../../src/index";
import { createLogger } from "../../src/lib/logger";
import { dueBetween, minuteOf } from "../../src/triggers/cron";
import { runTick } from "../../src/triggers/tick";
import { api, envelope } from "../helpers/api";
import { getRun } from "../helpers/runs";

const MINUTE = 60_000;
const log = createLogger("error");

const digestYaml = (id: string, cron = "* * * * *", extra = "") => `
id: ${id}
name: Digest ${id}
inputs:
  type: object
  required: [topic]
  properties: { topic: { type: string } }
triggers:
  - cron: "${cron}"
    inputs: { topic: weekly }
${extra}
start_step: note
steps:
  - id: note
    type: form
    fields: [{ name: note, type: string }]
`;

const saved = new Set<string>();

// A tick reads every schedule: delete each test's workflows so a later tick (hours ahead) skips them.
afterEach(async () => {
  for (const id of saved) await api("DELETE", `/v1/workflows/${id}`);
  saved.clear();
});

async function save(yaml: string, method = "POST", id?: string): Promise<void> {
  saved.add(/^id: (\S+)$/m.exec(yaml)?.[1] ?? "");
  const res = await api(method, id ? `/v1/workflows/${id}` : "/v1/workflows", { yaml });
  expect(res.status, res.text).toBe(201);
}

/** The schedule's next due minute as stored (what the tick will start next). */
async function nextDueOf(workflowId: string): Promise<number> {
  const rows = await dueSchedules(env.DB, Number.MAX_SAFE_INTEGER, 1000);
  const row = rows.find((r) => r.workflowId === workflowId);
  if (!row?.nextDueAt) throw new Error(`no schedule for ${workflowId}`);
  return row.nextDueAt;
}

/** The run ids one tick at `at` started for `workflowId`. */
async function tick(at: number, workflowId: string): Promise<string[]> {
  const report = await runTick(env, at, log);
  const ids: string[] = [];
  for (const id of report.started) {
    const run = await getRun(id);
    if (run.body.workflow_id === workflowId) ids.push(id);
  }
  return ids;
}

describe("croner inside workerd", () => {
  it("steps a five-field expression minute by minute, in UTC", () => {
    const from = Date.UTC(2026, 11, 4, 8, 58); // a Friday
    expect(
      dueBetween("0 9 * * 1-5", from, from + 4 * 24 * 60 * MINUTE, 10).map((t) => new Date(t).toISOString()),
    ).toEqual(["2026-12-04T09:00:00.000Z", "2026-12-07T09:00:00.000Z"]);
    expect(minuteOf(Date.UTC(2026, 0, 1, 0, 0, 59, 999))).toBe(Date.UTC(2026, 0, 1));
  });
});

describe("cron triggers", () => {
  it("starts exactly one run per due minute: two minutes, two runs, a retried tick adds none", async () => {
    await save(digestYaml("digest-a"));
    const first = await nextDueOf("digest-a");
    expect(first).toBeGreaterThan(Date.now() - MINUTE);

    const one = await tick(first + 2_000, "digest-a");
    expect(one).toHaveLength(1);
    // The same tick again (a retry): the schedule already moved on, so nothing new starts.
    expect(await tick(first + 2_000, "digest-a")).toEqual([]);
    const two = await tick(first + MINUTE, "digest-a");
    expect(two).toHaveLength(1);
    expect(two[0]).not.toBe(one[0]);

    for (const id of [...one, ...two]) {
      const run = await getRun(id);
      expect(run.body).toMatchObject({ workflow_id: "digest-a", status: "waiting", current_step: "note" });
      const ctx = await api<{ runtime: Record<string, unknown> }>("GET", `/v1/executions/${id}/context`);
      expect(ctx.body.runtime).toEqual({ topic: "weekly" });
    }
  });

  it("answers two overlapping ticks of one minute with the same run", async () => {
    await save(digestYaml("digest-b"));
    const due = await nextDueOf("digest-b");
    const [a, b] = await Promise.all([tick(due, "digest-b"), tick(due, "digest-b")]);
    const all = new Set([...(a ?? []), ...(b ?? [])]);
    expect(all.size).toBe(1);
    expect(await tick(due, "digest-b")).toEqual([]);
  });

  it("a late tick starts every minute it missed, once each", async () => {
    await save(digestYaml("digest-c"));
    const due = await nextDueOf("digest-c");
    const late = await tick(due + 2 * MINUTE + 30_000, "digest-c");
    expect(late).toHaveLength(3);
    expect(new Set(late).size).toBe(3);
    expect(await tick(due + 2 * MINUTE + 45_000, "digest-c")).toEqual([]);
  });

  it("does not start a run before its minute", async () => {
    await save(digestYaml("digest-d", "0 9 * * 1-5"));
    const due = await nextDueOf("digest-d");
    expect(new Date(due).getUTCHours()).toBe(9);
    expect(await tick(due - MINUTE, "digest-d")).toEqual([]);
    expect(await tick(due, "digest-d")).toHaveLength(1);
  });

  it("follows new versions and deletes", async () => {
    await save(digestYaml("digest-e"));
    const due = await nextDueOf("digest-e");
    // A new version without triggers: the schedule is gone.
    await save(digestYaml("digest-e").replace(/triggers:[\s\S]*?weekly \}\n/, ""), "PUT", "digest-e");
    expect(await tick(due + MINUTE, "digest-e")).toEqual([]);
    // Back with an hourly schedule: its runs are pinned to the version that declared it.
    await save(digestYaml("digest-e", "0 * * * *"), "PUT", "digest-e");
    const hourly = await nextDueOf("digest-e");
    expect(new Date(hourly).getUTCMinutes()).toBe(0);
    const [run] = await tick(hourly, "digest-e");
    expect(run).toBeDefined();
    expect((await getRun(run as string)).body.workflow_version).toBe(3);
    // Deleted: no more runs.
    expect((await api("DELETE", "/v1/workflows/digest-e")).status).toBe(204);
    expect(await tick(hourly + 60 * MINUTE, "digest-e")).toEqual([]);
  });

  it("the Worker's scheduled handler runs the tick", async () => {
    await save(digestYaml("digest-f"));
    const due = await nextDueOf("digest-f");
    const ctx = createExecutionContext();
    const controller = createScheduledController({ scheduledTime: due + 5_000, cron: "* * * * *" });
    await worker.scheduled(controller, env);
    await waitOnExecutionContext(ctx);
    expect(await nextDueOf("digest-f")).toBe(due + MINUTE);
  });
});

describe("cron triggers at save time", () => {
  const issues = async (yaml: string) => {
    const res = await api("POST", "/v1/workflows/validate", { yaml });
    expect(res.status, res.text).toBe(422);
    return (envelope(res).details ?? []).map((d) => `${d.path}: ${d.message}`);
  };

  it("refuses expressions that do not parse, have seconds or are never due, each at its path", async () => {
    const bad = digestYaml("bad-cron", "61 * * * *").replace(
      "triggers:\n",
      'triggers:\n  - cron: "* * * * * *"\n  - cron: "0 0 30 2 *"\n',
    );
    const found = await issues(bad);
    expect(found.find((m) => m.startsWith("triggers[0].cron:"))).toMatch(/exactly 5 parts/);
    expect(found.find((m) => m.startsWith("triggers[1].cron:"))).toMatch(/never due/);
    expect(found.find((m) => m.startsWith("triggers[2].cron:"))).toMatch(/minute/);
  });

  it("checks a schedule's inputs against the workflow's inputs schema", async () => {
    const found = await issues(digestYaml("bad-inputs").replace("{ topic: weekly }", "{ topic: 7 }"));
    expect(found).toEqual([expect.stringMatching(/^triggers\[0\]\.inputs\.topic: this schedule's inputs/)]);
  });

  it("refuses a trigger that is neither or both, unknown keys and a second webhook", async () => {
    const yaml = digestYaml("bad-shape").replace(
      "triggers:\n",
      'triggers:\n  - { cron: "* * * * *", webhook: {} }\n  - { every: 5m }\n  - webhook: {}\n  - webhook: {}\n',
    );
    const found = await issues(yaml);
    expect(found).toContain('triggers[0]: a trigger has either cron: "<expression>" or webhook: {}');
    expect(found).toContain('triggers[1].every: unknown key "every"');
    expect(found).toContain("triggers[3].webhook: a workflow has at most one webhook trigger");
  });
});

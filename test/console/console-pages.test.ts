import { describe, expect, inject, it } from "vitest";
import { Decision } from "../../src/console/timeline/decision";
import { HumanStep } from "../../src/console/timeline/human-step";
import { renderHtml } from "../../src/html/render";
import { encodeCursor } from "../../src/lib/cursor";
import type { AttemptView } from "../../src/run-db/history";
import { deliver, pendingJob, waitFor } from "../ai/queue-helpers";
import { api } from "../helpers/api";
import { query } from "../helpers/html";
import { indexSettled } from "../helpers/run-db";
import { resumeRun, startedRun } from "../helpers/runs";
import { Browser, csrfOf } from "./browser";

const ADMIN = "test-key-123";

const workflow = `
id: console-pages
name: Console pages
description: An AI draft that never fits its schema, a branch, an approval.
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write a title about {{runtime.topic}}"
    schema:
      type: object
      required: [title]
      properties: { title: { type: string, maxLength: 10 } }
    max_retries: 1
    mock: { mode: schema_violation, failures: 3 }
    output: draft
    next: gate
  - id: gate
    type: conditional
    branches:
      - when: "runtime.draft.title == 'ok'"
        next: review
    default: ask
  - id: review
    type: approval
    approvers: ["ed@example.test"]
    next: ask
  - id: ask
    type: form
    assignee: "ada@example.test"
    fields:
      - { name: note, type: string }
`;

const waiting = `
id: console-waits
name: Console waits
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "ada@example.test"
    fields:
      - { name: note, type: string }
`;

async function signedIn(): Promise<Browser> {
  const b = new Browser();
  await b.signIn(ADMIN);
  return b;
}

async function failedAiRun(): Promise<string> {
  await api("POST", "/v1/workflows", { yaml: workflow });
  const run = await startedRun("console-pages", { inputs: { topic: "queues" } });
  await deliver(await pendingJob(run.run_id), 1);
  await waitFor(run.run_id, (s) => s.status === "failed");
  await indexSettled(run.run_id);
  return run.run_id;
}

describe("console pages", () => {
  it("finds a failed run by filter, with counts per status and a date range", async () => {
    const failed = await failedAiRun();
    await api("POST", "/v1/workflows", { yaml: waiting });
    for (let i = 0; i < 3; i++) await indexSettled((await startedRun("console-waits")).run_id);
    const b = await signedIn();

    const page = await b.get("/console/runs?status=failed&workflow=console-pages");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'.*script-src 'self'/);
    const links = (await query(page.html, "tbody a[href^='/console/runs/']")).map((a) => a.text);
    expect(links).toEqual([failed]);
    const counts = (await query(page.html, ".counts a")).map((a) => a.text);
    expect(counts).toContain("failed: 1");

    const today = new Date().toISOString().slice(0, 10);
    const dated = await b.get(`/console/runs?workflow=console-waits&from=${today}&to=${today}`);
    expect((await query(dated.html, "tbody tr")).length).toBe(3);
    const before = await b.get("/console/runs?workflow=console-waits&to=2020-01-01");
    expect(before.html).toContain("No runs match these filters.");
  });

  it("pages with the cursor of the last run shown: the next page starts after it", async () => {
    await api("POST", "/v1/workflows", { yaml: waiting });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await startedRun("console-waits");
      await indexSettled(run.run_id);
      ids.push(run.run_id);
    }
    const b = await signedIn();
    const newest = (await api<{ created_at: string }>("GET", `/v1/executions/${ids[2]}`)).body;
    const cursor = encodeCursor({ t: Date.parse(newest.created_at), id: ids[2] ?? "" });
    const page = await b.get(`/console/runs?workflow=console-waits&cursor=${cursor}`);
    const shown = (await query(page.html, "tbody a[href^='/console/runs/']")).map((a) => a.text);
    expect(shown).not.toContain(ids[2]);
    expect(shown).toEqual(expect.arrayContaining([ids[0], ids[1]]));
    expect((await query(page.html, ".pager a")).map((a) => a.text)).toContain("First page");
  });

  it("shows an api_call's request and response with the secret it sent redacted", async () => {
    const yaml = `
id: console-api
name: Console api_call
start_step: call
steps:
  - id: call
    type: api_call
    method: POST
    url: "${inject("httpServerUrl")}/echo"
    headers: { Authorization: "Bearer {{secrets.TEST_TOKEN}}" }
    body: { hello: "world" }
`;
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startedRun("console-api");
    await waitFor(run.run_id, (s) => s.status === "completed");
    const page = await (await signedIn()).get(`/console/runs/${run.run_id}`);
    expect(page.html).toContain("Request");
    expect(page.html).toContain("Response");
    expect(page.html).toContain("[redacted]");
    expect(page.html).not.toContain("s3cr3t-value-never-logged");
  });

  it("answers bad filters with a 400 page naming the problem", async () => {
    const b = await signedIn();
    for (const [q, text] of [
      ["status=exploded", "is not a run status"],
      ["from=yesterday", "must be a date"],
      ["from=2026-05-02&to=2026-05-01", "after the"],
      ["cursor=%%%", "Invalid cursor"],
      ["workflow=Not%20An%20Id", "is not a workflow id"],
    ] as const) {
      const res = await b.get(`/console/runs?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.html).toContain(text);
    }
    expect((await b.get("/console/runs/not-a-run")).status).toBe(404);
    expect((await b.get("/console/runs/run_00000000000000000000000000")).status).toBe(404);
    expect((await b.get("/console/workflows/nope-nope")).status).toBe(404);
    expect((await b.get("/console/workflows/console-pages?version=zero")).status).toBe(400);
  });

  it("tells a failed AI run's story: every attempt with its prompt, output, validation errors, tokens and cost", async () => {
    const runId = await failedAiRun();
    const page = await (await signedIn()).get(`/console/runs/${runId}`);
    expect(page.status).toBe(200);
    const attempts = await query(page.html, ".attempt.ai");
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => a.text.includes("failed"))).toBe(true);
    expect(page.html).toContain("Validation errors (sent back with the re-ask):");
    const errors = (await query(page.html, ".attempt.ai .errors li")).map((e) => e.text);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(page.html).toContain("Write a title about queues");
    expect(page.html).toMatch(/tokens \d+ in \/ \d+ out/);
    expect(page.html).toMatch(/2 calls, tokens \d+ in \/ \d+ out, cost \$0\.000000/);
    expect(page.html).toContain("schema_violation");
    expect((await query(page.html, "#run-context"))[0]?.text).toContain('"topic": "queues"');
  });

  it("shows a waiting run's recipients and emails, and the waits inbox lists it with its age", async () => {
    await api("POST", "/v1/workflows", { yaml: waiting });
    const run = await startedRun("console-waits");
    await indexSettled(run.run_id);
    const b = await signedIn();
    const page = await b.get(`/console/runs/${run.run_id}`);
    expect(page.html).toContain("recipients: ada@example.test");
    // The email rows come from the run's events, which mask addresses (docs/telemetry.md).
    expect((await query(page.html, ".human table tbody tr"))[0]?.text).toContain("a***@example.test");
    expect((await query(page.html, "body"))[0]?.attrs["data-live"]).toBe("true");

    const waits = await b.get("/console/waits");
    expect(waits.status).toBe(200);
    const card = (await query(waits.html, "section.card")).find((r) => r.text.includes(run.run_id));
    expect(card?.text).toContain("ada@example.test (pending)");
    expect(card?.text).toMatch(/waiting for \d+(\.\d)? (ms|s)/);
  });

  it("shows a person's fix of an AI output as the step's last attempt, with who was asked", async () => {
    const yaml = `
id: console-fix
name: Console fix
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "A title"
    schema: { type: object, required: [title], properties: { title: { type: string } } }
    max_retries: 0
    mock: { mode: schema_violation, failures: 5 }
    on_invalid: fix
    fixers: ["fixer@example.test"]
`;
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startedRun("console-fix");
    await deliver(await pendingJob(run.run_id), 1);
    await waitFor(run.run_id, (s) => s.status === "waiting");
    await indexSettled(run.run_id);
    const b = await signedIn();
    const page = await b.get(`/console/runs/${run.run_id}`);
    expect((await query(page.html, ".attempt.fix h4"))[0]?.text).toBe(
      "Attempt 2: fixed by a person (waiting)",
    );
    expect((await query(page.html, ".attempt.fix .facts"))[0]?.text).toContain(
      "recipients: fixer@example.test",
    );
    expect((await query(page.html, ".attempt.ai")).length).toBe(1);
    const waits = await b.get("/console/waits");
    const card = (await query(waits.html, "section.card")).find((r) => r.text.includes(run.run_id));
    expect(card?.text).toContain("(fix)");
    expect(card?.text).toContain("fixer@example.test (pending)");
  });

  it("links a sub-workflow step to its child run, and draws it in the graph", async () => {
    await api("POST", "/v1/workflows", { yaml: waiting });
    const parent = `
id: console-parent
name: Console parent
start_step: child
steps:
  - id: child
    type: workflow
    workflow: console-waits
`;
    const saved = await api("POST", "/v1/workflows", { yaml: parent });
    expect(saved.status, saved.text).toBe(201);
    const run = await startedRun("console-parent");
    const b = await signedIn();
    const page = await b.get(`/console/runs/${run.run_id}`);
    const link = (await query(page.html, ".attempt a[href^='/console/runs/run_']"))[0];
    expect(link?.text).toMatch(/^run_[0-9a-z]{26}$/);
    expect(link?.text).not.toBe(run.run_id);
    const graph = await b.get("/console/workflows/console-parent");
    expect((await query(graph.html, "svg g.node"))[0]?.attrs.class).toBe("node n-workflow start");
  });

  it("shows an approval's decision: who, when, the comment", async () => {
    const yaml = `
id: console-approval
name: Console approval
start_step: review
steps:
  - id: review
    type: approval
    approvers: ["ed@example.test"]
    instructions: "Ship it?"
`;
    await api("POST", "/v1/workflows", { yaml });
    const run = await startedRun("console-approval");
    const token = run.waiting?.resume_token ?? "";
    const done = await resumeRun(run.run_id, token, { decision: "approved", comment: "Ship it on Tuesday." });
    expect(done.status, done.text).toBe(200);
    const page = await (await signedIn()).get(`/console/runs/${run.run_id}`);
    const decision = (await query(page.html, ".decision dl"))[0]?.text ?? "";
    expect(decision).toContain("approved");
    expect(decision).toContain("Ship it on Tuesday.");
    expect(decision).toMatch(/By\S+/);
    expect(decision).toMatch(/UTC/);
  });

  it("draws the step graph as SVG on the server: one node per step, branches labelled with their conditions", async () => {
    await api("POST", "/v1/workflows", { yaml: workflow });
    const b = await signedIn();
    const list = await b.get("/console/workflows");
    expect((await query(list.html, "tbody a[href='/console/workflows/console-pages']")).length).toBe(1);
    const page = await b.get("/console/workflows/console-pages");
    expect(page.status).toBe(200);
    const nodes = await query(page.html, "svg g.node");
    expect(nodes.map((n) => n.attrs["data-step"])).toEqual(["draft", "gate", "review", "ask"]);
    expect(nodes.map((n) => n.attrs.class)).toEqual([
      "node n-ai_generate start",
      "node n-conditional",
      "node n-approval",
      "node n-form",
    ]);
    const labels = (await query(page.html, "svg .transition text")).map((t) => t.text);
    expect(labels).toEqual(["runtime.draft.title == 'ok'", "default"]);
    expect((await query(page.html, "svg path.edge")).length).toBe(4);
    expect((await query(page.html, "#workflow-source"))[0]?.text).toContain("mode: schema_violation");
    expect(page.html).toContain("Stats (all versions)");
  });
});

describe("a review's decision", () => {
  const attempt = (output: unknown): AttemptView => ({
    attempt_id: "att_1",
    attempt: 1,
    status: "completed",
    output,
    started_at: "2026-05-01T09:00:00.000Z",
    finished_at: "2026-05-01T09:30:00.000Z",
    duration_ms: 1_800_000,
  });

  it("shows an edit as one line per patch operation, and says when nothing was edited", async () => {
    const edited = renderHtml(
      Decision({
        a: attempt({
          decision: "approved",
          approver: "ed@example.test",
          comment: "Tightened the title.",
          decided_at: "2026-05-01T09:29:00.000Z",
          patch: [{ op: "replace", path: "/title", value: "Queues, briefly" }],
        }),
        by: undefined,
        anchor: "s1",
      }),
    );
    expect((await query(edited, ".diff li")).map((li) => li.text)).toEqual([
      'replace /title = "Queues, briefly"',
    ]);
    expect((await query(edited, "dl"))[0]?.text).toContain("ed@example.test");
    expect(edited).toContain("Fri, 01 May 2026 09:29 UTC");

    const untouched = renderHtml(
      Decision({ a: attempt({ decision: "approved", patch: [] }), by: "api:ops", anchor: "s2" }),
    );
    expect(untouched).toContain("No edits: approved as the AI wrote it.");
    expect((await query(untouched, "dl"))[0]?.text).toContain("api:ops");
  });

  it("lists every decision of a quorum", async () => {
    const html = renderHtml(
      Decision({
        a: attempt({
          decision: "approved",
          approvals: [
            { approver: "a@example.test", decision: "approved", decided_at: "2026-05-01T09:10:00.000Z" },
            {
              approver: "b@example.test",
              decision: "approved",
              comment: "ok",
              decided_at: "2026-05-01T09:20:00.000Z",
            },
          ],
        }),
        by: undefined,
        anchor: "s3",
      }),
    );
    const items = (await query(html, "ul[aria-label='Every decision'] li")).map((li) => li.text);
    expect(items).toHaveLength(2);
    expect(items[1]).toContain("approved by b@example.test");
  });
});

describe("a wait's story", () => {
  it("tells reminders, escalations, resends and reassignments as sentences, with the emails", async () => {
    const ev = (id: number, type: string, data: Record<string, unknown>) => ({
      id,
      type,
      step_id: "review",
      attempt_id: null,
      data,
      created_at: "2026-05-01T09:00:00.000Z",
    });
    const html = renderHtml(
      HumanStep({
        attempts: [],
        events: [
          ev(1, "mail.queued", { to: "a@example.test", kind: "request", outbox_id: "o1" }),
          ev(2, "mail.failed", { to: "a@example.test", error: "mailbox full" }),
          ev(3, "wait.reminded", { reminder: 1 }),
          ev(4, "wait.escalated", { level: 1, to: ["boss@example.test"] }),
          ev(5, "wait.resent", { recipients: ["a@example.test"] }),
          ev(6, "wait.reassigned", { from: "a@example.test", to: "b@example.test", by: "ops" }),
        ],
        wait: undefined,
        anchor: "s1",
        now: Date.parse("2026-05-01T10:00:00.000Z"),
      }),
    );
    const changes = (await query(html, "ul[aria-label='Changes to the wait'] li")).map((li) => li.text);
    expect(changes).toEqual([
      "reminder 1 sent Fri, 01 May 2026 09:00 UTC",
      "escalated (level 1) to boss@example.test Fri, 01 May 2026 09:00 UTC",
      "link resent to a@example.test Fri, 01 May 2026 09:00 UTC",
      "reassigned from a@example.test to b@example.test by ops Fri, 01 May 2026 09:00 UTC",
    ]);
    expect((await query(html, ".human tbody tr"))[1]?.text).toContain("failed mailbox full");
    expect(html).toContain("reminders: 1");
    expect(html).toContain("escalations: 1");
  });
});

describe("the waits inbox", () => {
  const yaml = `
id: console-inbox
name: Console inbox
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "ada@example.test"
    fields:
      - { name: note, type: string }
`;

  async function waitingRun(): Promise<{ runId: string; waitId: string }> {
    await api("POST", "/v1/workflows", { yaml });
    const run = await startedRun("console-inbox");
    await indexSettled(run.run_id);
    const waits = await api<{ items: Array<{ run_id: string; wait_id: string }> }>(
      "GET",
      "/v1/waits?status=open",
    );
    const wait = waits.body.items.find((w) => w.run_id === run.run_id);
    if (!wait) throw new Error("the run's wait is not in the index");
    return { runId: run.run_id, waitId: wait.wait_id };
  }

  it("resends and reassigns an open wait's link for an operator, and says so", async () => {
    const { runId, waitId } = await waitingRun();
    const b = new Browser();
    await b.signIn("operator-key-789");
    const inbox = await b.get("/console/waits");
    const csrf = await csrfOf(inbox.html);
    expect(await query(inbox.html, `form[action='/console/waits/${runId}/${waitId}/resend']`)).toHaveLength(
      1,
    );

    const resent = await b.post(`/console/waits/${runId}/${waitId}/resend`, { _csrf: csrf, recipient: "" });
    expect(resent.status).toBe(303);
    expect((await b.get(resent.location ?? "")).html).toContain("The link was sent again.");

    const bad = await b.post(`/console/waits/${runId}/${waitId}/reassign`, {
      _csrf: csrf,
      from: "ada@example.test",
      to: "not an email",
    });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("must be an email address");

    const moved = await b.post(`/console/waits/${runId}/${waitId}/reassign`, {
      _csrf: csrf,
      from: "ada@example.test",
      to: "bob@example.test",
    });
    expect(moved.status).toBe(303);
    const timeline = await b.get(`/console/runs/${runId}`);
    const changes = (await query(timeline.html, "ul[aria-label='Changes to the wait'] li")).map(
      (li) => li.text,
    );
    // The changes come from the run's events, which mask addresses (docs/telemetry.md).
    expect(changes.some((c) => c.startsWith("link resent to a***@example.test"))).toBe(true);
    expect(
      changes.some((c) => c.startsWith("reassigned from a***@example.test to b***@example.test by ops")),
    ).toBe(true);
  });

  it("shows a reader no resend or reassign, and refuses its post (403); a wait that is not open is 409", async () => {
    const { runId, waitId } = await waitingRun();
    const b = new Browser();
    await b.signIn("reader-key-000");
    const inbox = await b.get("/console/waits");
    expect(await query(inbox.html, "form[action^='/console/waits/']")).toHaveLength(0);
    const refused = await b.post(`/console/waits/${runId}/${waitId}/resend`, {
      _csrf: await csrfOf(inbox.html),
    });
    expect(refused.status).toBe(403);

    const admin = await signedIn();
    const page = await admin.get("/console/waits");
    const csrf = await csrfOf(page.html);
    const unknown = await admin.post(`/console/waits/${runId}/wait_00000000000000000000000000/resend`, {
      _csrf: csrf,
    });
    expect(unknown.status).toBe(409);
    expect(unknown.html).toContain("wait");
    expect((await admin.post(`/console/waits/${runId}/nope/resend`, { _csrf: csrf })).status).toBe(404);
  });
});

import canonicalize from "canonicalize";
import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../ai/queue-helpers";
import { api, envelope } from "../helpers/api";
import { runDb } from "../helpers/run-db";
import { getRun, type RunStatus, resumeRun, startedRun } from "../helpers/runs";

// Issue 13 through the API alone: an editor reviews an AI draft (edit, send back, approve), and a
// person fixes an output the AI could not get right.
const REVIEWED = `
id: reviewed
name: Reviewed draft
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write about {{runtime.topic}}."
    schema:
      type: object
      additionalProperties: false
      required: [title, body, score]
      properties:
        title: { type: string, minLength: 3, maxLength: 80 }
        body: { type: string }
        score: { type: integer, minimum: 0, maximum: 100 }
    output: draft
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
    review: draft
    editable: true
    allow_changes: true
    max_revisions: 2
    output: review
`;

const READ_ONLY = REVIEWED.replace("id: reviewed", "id: read-only")
  .replace("    editable: true\n", "")
  .replace("    allow_changes: true\n", "")
  .replace("    max_revisions: 2\n", "");

const FIX = `
id: fixable
name: Fixable draft
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Rate {{runtime.topic}}."
    max_retries: 1
    mock: { mode: schema_violation, failures: 5 }
    on_invalid: fix
    fixers: ["fixer@acme.test"]
    schema:
      type: object
      additionalProperties: false
      required: [title, score]
      properties:
        title: { type: string, minLength: 3 }
        score: { type: integer, minimum: 0, maximum: 100 }
    output: rating
`;

interface Review {
  step_id: string;
  output: { title: string; body: string; score: number };
  content_hash: string;
  revision: number;
  changes_left: number;
  editable: boolean;
}
type Waiting = RunStatus & {
  waiting: NonNullable<RunStatus["waiting"]> & { review?: Review; fix?: unknown };
};

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Starts `workflow` and waits until it waits on a person. */
async function waitingRun(workflow: string): Promise<Waiting> {
  const run = await startedRun(workflow, { inputs: { topic: "edge queues" } });
  return (await waitFor(run.run_id, (s) => s.status === "waiting")) as Waiting;
}

const context = (runId: string) =>
  api<{ runtime: Record<string, Record<string, unknown>> }>("GET", `/v1/executions/${runId}/context`);
const events = async (runId: string) =>
  (
    await api<{ items: Array<{ type: string; data?: Record<string, unknown> }> }>(
      "GET",
      `/v1/executions/${runId}/events`,
    )
  ).body.items;

beforeAll(async () => {
  for (const yaml of [REVIEWED, READ_ONLY, FIX]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("approval with review: edit and approve", () => {
  it("shows the output with the hash of its canonical JSON, and records the edit as a patch", async () => {
    const run = await waitingRun("reviewed");
    const review = run.waiting.review as Review;
    expect(run.waiting).toMatchObject({ type: "approval", step_id: "review" });
    expect(review).toMatchObject({ step_id: "draft", revision: 1, editable: true, changes_left: 2 });
    expect(review.content_hash).toBe(`sha256:${await sha256(canonicalize(review.output) as string)}`);

    const edited = { ...review.output, title: "A better title" };
    const res = await resumeRun(run.run_id, run.waiting.resume_token, {
      decision: "approved",
      output: edited,
      content_hash: review.content_hash,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe("completed");

    const ctx = (await context(run.run_id)).body.runtime;
    expect(ctx.draft).toEqual(edited);
    expect(ctx.review).toMatchObject({
      decision: "approved",
      approver: "api:tester",
      revision: 1,
      content_hash: review.content_hash,
      edited: true,
      patch: [{ op: "replace", path: "/title", value: "A better title" }],
    });

    const history = await api<{
      steps: Array<{ step_id: string; attempts: Array<{ output: unknown; meta: unknown }> }>;
    }>("GET", `/v1/executions/${run.run_id}/history`);
    const draft = history.body.steps.find((s) => s.step_id === "draft");
    const approval = history.body.steps.find((s) => s.step_id === "review");
    expect(draft?.attempts[0]?.output).toEqual(review.output);
    expect(approval?.attempts[0]?.meta).toMatchObject({
      review: { step: "draft", original_output: review.output, approved_output: edited },
    });
    const decided = (await events(run.run_id)).find((e) => e.type === "review.decided");
    expect(decided?.data).toEqual({
      decision: "approved",
      approver: "api:tester",
      revision: 1,
      content_hash: review.content_hash,
      edited: true,
    });
  });

  it("approves unedited with an empty patch", async () => {
    const run = await waitingRun("reviewed");
    const res = await resumeRun(run.run_id, run.waiting.resume_token, { decision: "approved" });
    expect(res.body.status).toBe("completed");
    const ctx = (await context(run.run_id)).body.runtime;
    expect(ctx.draft).toEqual(run.waiting.review?.output);
    expect(ctx.review).toMatchObject({ edited: false, patch: [] });
  });

  it("refuses an invalid edit with a 422 per path and keeps the wait open", async () => {
    const run = await waitingRun("reviewed");
    const review = run.waiting.review as Review;
    const bad = { ...review.output, title: "x", score: 400, extra: true };
    const res = await resumeRun(run.run_id, run.waiting.resume_token, { decision: "approved", output: bad });
    expect(res.status).toBe(422);
    const paths = (envelope(res).details ?? []).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["output.title", "output.score"]));
    expect((await getRun(run.run_id)).body.status).toBe("waiting");
    // The token still works.
    const ok = await resumeRun(run.run_id, run.waiting.resume_token, { decision: "rejected" });
    expect(ok.body.status).toBe("rejected");
  });

  it("refuses a stale content hash with 409 and a clear message", async () => {
    const run = await waitingRun("reviewed");
    const res = await resumeRun(run.run_id, run.waiting.resume_token, {
      decision: "approved",
      content_hash: `sha256:${"0".repeat(64)}`,
    });
    expect(res.status).toBe(409);
    expect(envelope(res).message).toMatch(/changed since this page was shown/);
    expect((await getRun(run.run_id)).body.status).toBe("waiting");
  });

  it("refuses an edit or a send-back where the step allows neither", async () => {
    const run = await waitingRun("read-only");
    const output = run.waiting.review?.output;
    const edit = await resumeRun(run.run_id, run.waiting.resume_token, { decision: "approved", output });
    expect(edit.status).toBe(422);
    expect(envelope(edit).details?.[0]).toMatchObject({ path: "output" });
    const back = await resumeRun(run.run_id, run.waiting.resume_token, {
      decision: "changes_requested",
      comment: "Shorter",
    });
    expect(back.status).toBe(422);
    expect(envelope(back).details?.[0]).toMatchObject({ path: "decision" });
    expect(run.waiting.review).toMatchObject({ editable: false, changes_left: 0 });
  });
});

describe("changes_requested", () => {
  it("needs a comment (422, the wait stays open)", async () => {
    const run = await waitingRun("reviewed");
    for (const comment of [undefined, "   "]) {
      const res = await resumeRun(run.run_id, run.waiting.resume_token, {
        decision: "changes_requested",
        comment,
      });
      expect(res.status).toBe(422);
      expect(envelope(res).details?.[0]).toMatchObject({ path: "comment" });
    }
    expect((await getRun(run.run_id)).body.status).toBe("waiting");
  });

  it("asks the AI again with its output and the comment, counts revisions, and stops at max_revisions", async () => {
    const run = await waitingRun("reviewed");
    const first = run.waiting.review as Review;
    const back = await resumeRun(run.run_id, run.waiting.resume_token, {
      decision: "changes_requested",
      comment: "Make the title punchier",
    });
    expect(back.status, back.text).toBe(200);
    const second = (await waitFor(run.run_id, (s) => s.status === "waiting")) as Waiting;
    const r2 = second.waiting.review as Review;
    expect(r2).toMatchObject({ revision: 2, changes_left: 1 });
    expect(r2.output).not.toEqual(first.output);
    expect(r2.content_hash).not.toBe(first.content_hash);
    // The old link is closed: its wait is over.
    expect((await resumeRun(run.run_id, run.waiting.resume_token, { decision: "approved" })).status).toBe(
      409,
    );

    const history = await api<{
      steps: Array<{ step_id: string; attempts: Array<{ input: { messages: Array<{ content: string }> } }> }>;
    }>("GET", `/v1/executions/${run.run_id}/history`);
    const drafts = history.body.steps.filter((s) => s.step_id === "draft");
    expect(drafts).toHaveLength(2);
    const prompt = drafts[1]?.attempts[0]?.input.messages.map((m) => m.content).join("\n") ?? "";
    expect(prompt).toContain("Make the title punchier");
    expect(prompt).toContain(JSON.stringify(first.output, null, 2));
    expect(drafts[0]?.attempts[0]?.input.messages.map((m) => m.content).join("\n")).not.toContain("reviewer");

    const again = await resumeRun(run.run_id, second.waiting.resume_token, {
      decision: "changes_requested",
      comment: "Still too long",
    });
    expect(again.status).toBe(200);
    const third = (await waitFor(run.run_id, (s) => s.status === "waiting")) as Waiting;
    expect(third.waiting.review).toMatchObject({ revision: 3, changes_left: 0 });
    const refused = await resumeRun(run.run_id, third.waiting.resume_token, {
      decision: "changes_requested",
      comment: "Once more",
    });
    expect(refused.status).toBe(409);
    expect(envelope(refused).message).toMatch(/max_revisions/);
    const done = await resumeRun(run.run_id, third.waiting.resume_token, { decision: "approved" });
    expect(done.body.status).toBe("completed");
    expect((await context(run.run_id)).body.runtime.review).toMatchObject({
      revision: 3,
      decision: "approved",
    });
    const types = (await events(run.run_id)).map((e) => e.type);
    expect(types.filter((t) => t === "review.changes_requested")).toHaveLength(2);
    expect(types.filter((t) => t === "review.decided")).toHaveLength(3);
  });
});

describe("on_invalid: fix", () => {
  it("waits for a fix, refuses an invalid one with paths, and completes with source human", async () => {
    const run = await waitingRun("fixable");
    expect(run.waiting).toMatchObject({ type: "fix", step_id: "draft" });
    const fix = run.waiting.fix as { output: unknown; errors: Array<{ path: string }> };
    expect(fix.errors.length).toBeGreaterThan(0);

    const bad = await resumeRun(run.run_id, run.waiting.resume_token, {
      output: { title: "no", score: "high" },
    });
    expect(bad.status).toBe(422);
    expect((envelope(bad).details ?? []).map((d) => d.path)).toEqual(
      expect.arrayContaining(["output.title", "output.score"]),
    );
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", waiting: { type: "fix" } });

    const fixed = { title: "Edge queues", score: 88 };
    const ok = await resumeRun(run.run_id, run.waiting.resume_token, { output: fixed });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.status).toBe("completed");
    expect((await context(run.run_id)).body.runtime.rating).toEqual(fixed);
    const history = await api<{
      steps: Array<{ step_id: string; attempts: Array<{ status: string; output: unknown; meta: unknown }> }>;
    }>("GET", `/v1/executions/${run.run_id}/history`);
    const attempts = history.body.steps.find((s) => s.step_id === "draft")?.attempts ?? [];
    expect(attempts.map((a) => a.status)).toEqual(["failed", "failed", "completed"]);
    expect(attempts[2]).toMatchObject({ output: fixed, meta: { source: "human", fixer: "api:tester" } });
    const fixedEvent = (await events(run.run_id)).find((e) => e.type === "ai.fixed");
    expect(fixedEvent?.data).toEqual({ source: "human", fixer: "api:tester" });
    const mail = await runDb(run.run_id)
      .prepare("SELECT to_address, subject FROM mail_outbox")
      .all<{ to_address: string; subject: string }>();
    expect(mail.results).toEqual([
      { to_address: "fixer@acme.test", subject: "Fix needed: draft (Fixable draft)" },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { type AiStepResult, applyAiResult } from "../../src/engine/ai-result";
import { decideAlarm } from "../../src/engine/alarm";
import type { EngineDeps } from "../../src/engine/engine";
import { resolveWait } from "../../src/engine/resolve-wait";
import { checkResumeData } from "../../src/engine/resume-check";
import type { RunState } from "../../src/engine/state";
import { executeStep } from "../../src/executors";
import { humanWait, parseDef, runState } from "../helpers/states";

// The review loop and the fix wait as pure engine steps: a fixed clock, counted ids.
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function deps(now = T0): EngineDeps {
  let n = 0;
  return { now, newId: (prefix) => `${prefix}_${++n}` };
}

const DEF = parseDef(`
id: loop
name: Loop
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write about {{runtime.topic}}."
    on_invalid: fix
    fixers: ["{{profile.email}}", "not-an-address"]
    schema: { type: object, required: [title], properties: { title: { type: string } } }
    output: draft
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
    review: draft
    allow_changes: true
    max_revisions: 1
    output: review
`);

const attempt = (status: "completed" | "failed", output: unknown) => ({
  attempt: 1,
  status,
  input: {},
  output,
  meta: {
    provider: "mock",
    model: "mock-1",
    template_id: null,
    tokens_prompt: 1,
    tokens_output: 1,
    latency_ms: 1,
  },
  startedAt: T0,
  finishedAt: T0,
});

const inFlight = (over: Partial<RunState> = {}): RunState =>
  runState({
    currentStep: "draft",
    context: { static: {}, profile: { email: "ada@acme.test" }, runtime: { topic: "queues" } },
    pending: { kind: "ai", stepId: "draft", seq: 1, attemptId: "att_0", startedAt: T0, prompt: "p" },
    ...over,
  });

describe("on_invalid: fix", () => {
  const invalid: AiStepResult = {
    status: "failed",
    code: "schema_violation",
    message: "The AI output did not match the schema after 1 attempt.",
    errors: [{ path: "/title", keyword: "type", message: "Expected string." }],
    attempts: [attempt("failed", { title: 7 })],
  };

  it("parks a schema failure on a fix wait with the last output, its errors, and the fixers' mail", () => {
    const t = applyAiResult(DEF, inFlight(), invalid, deps());
    expect(t.run.status).toBe("waiting");
    expect(t.run.pending).toMatchObject({
      kind: "human",
      type: "fix",
      stepId: "draft",
      recipients: ["ada@acme.test"],
      fix: { output: { title: 7 }, errors: invalid.status === "failed" ? invalid.errors : [] },
    });
    expect(t.insertSteps.at(-1)).toMatchObject({ stepId: "draft", attempt: 2, status: "waiting" });
    expect(t.mintTokens.map((m) => m.recipient)).toEqual([null, "ada@acme.test"]);
    expect(t.effects).toEqual([expect.objectContaining({ kind: "mail", recipients: ["ada@acme.test"] })]);
    expect(t.events.map((e) => e.type)).not.toContain("run.failed");
  });

  it("still fails the step on a provider failure", () => {
    const refused: AiStepResult = { status: "failed", code: "ai_failed", message: "Refused", attempts: [] };
    const t = applyAiResult(DEF, inFlight(), refused, deps());
    expect(t.run.status).toBe("failed");
    expect(t.run.error).toMatchObject({ code: "ai_failed", step_id: "draft" });
  });

  it("takes a valid fix as the step's output, and times out to a failure", () => {
    const parked = applyAiResult(DEF, inFlight(), invalid, deps()).run;
    const step = DEF.steps[0];
    if (step?.type !== "ai_generate" || parked.pending?.kind !== "human") throw new Error("setup");
    const bad = checkResumeData(step, { output: { title: 1 } }, { approver: "ada", now: T0 });
    expect(bad).toMatchObject({ ok: false, details: [{ path: "output.title", keyword: "type" }] });
    const good = checkResumeData(step, { output: { title: "Queues" } }, { approver: "ada", now: T0 });
    if (!good.ok) throw new Error("expected a valid fix");
    const t = resolveWait(DEF, parked, good.resolution, deps());
    expect(t.run.context.runtime.draft).toEqual({ title: "Queues" });
    expect(t.run.currentStep).toBe("review");
    expect(t.updateSteps[0]).toMatchObject({ status: "completed", meta: { source: "human", fixer: "ada" } });
    expect(t.events.find((e) => e.type === "ai.fixed")?.data).toEqual({ source: "human", fixer: "ada" });

    const action = decideAlarm(parked, DEF, parked.pending.expiresAt, false);
    expect(action).toEqual({ kind: "time_out", stepId: "draft", resolution: { kind: "timed_out_fail" } });
    if (action.kind !== "time_out") throw new Error("expected a timeout");
    const timedOut = resolveWait(DEF, parked, action.resolution, deps());
    expect(timedOut.run.error).toMatchObject({ code: "timeout", step_id: "draft" });
  });
});

describe("the review loop", () => {
  const atReview = (revisions = 0): RunState =>
    runState({
      currentStep: "review",
      context: { static: {}, profile: {}, runtime: { topic: "queues", draft: { title: "First" } } },
      ...(revisions ? { reviews: { revisions: { review: revisions } } } : {}),
    });

  it("shows the output with its hash and revision, and fails when the reviewed output is missing", async () => {
    const step = DEF.steps[1];
    if (!step) throw new Error("setup");
    const ctx = { definition: DEF, now: T0, secrets: {} };
    const waiting = await executeStep(step, { ...ctx, run: atReview() });
    expect(waiting).toMatchObject({
      kind: "waiting",
      review: { aiStep: "draft", revision: 1, changesLeft: 1 },
    });
    const last = await executeStep(step, { ...ctx, run: atReview(1) });
    expect(last).toMatchObject({ review: { revision: 2, changesLeft: 0 } });
    const missing = await executeStep(step, { ...ctx, run: runState({ currentStep: "review" }) });
    expect(missing).toMatchObject({ kind: "failed", error: { code: "review_missing" } });
  });

  it("sends back to the AI step with the comment in its prompt, then clears the request", async () => {
    const [draft, review] = DEF.steps;
    if (!draft || review?.type !== "approval") throw new Error("setup");
    const ctx = { definition: DEF, now: T0, secrets: {} };
    const outcome = await executeStep(review, { ...ctx, run: atReview() });
    if (outcome.kind !== "waiting" || !outcome.review) throw new Error("expected a review wait");
    const wait = humanWait({ type: "approval", stepId: "review", review: outcome.review });
    const parked = { ...atReview(), status: "waiting" as const, pending: wait };
    const check = checkResumeData(
      review,
      { decision: "changes_requested", comment: "Shorter" },
      { approver: "ed", now: T0 },
      { def: DEF, wait },
    );
    if (!check.ok) throw new Error(JSON.stringify(check));
    const t = resolveWait(DEF, parked, check.resolution, deps());
    expect(t.run.currentStep).toBe("draft");
    expect(t.run.reviews).toEqual({
      revisions: { review: 1 },
      request: { aiStep: "draft", approval: "review", previous: { title: "First" }, comment: "Shorter" },
    });
    expect(t.run.context.runtime.review).toMatchObject({
      decision: "changes_requested",
      revision: 1,
      comment: "Shorter",
    });

    const asked = await executeStep(draft, { ...ctx, run: t.run });
    if (asked.kind !== "dispatched") throw new Error("expected an AI job");
    expect(asked.prompt).toContain("Write about queues.");
    expect(asked.prompt).toContain('"title": "First"');
    expect(asked.prompt).toContain("Shorter");
    const running = {
      ...t.run,
      pending: {
        kind: "ai" as const,
        stepId: "draft",
        seq: 2,
        attemptId: "att_9",
        startedAt: T0,
        prompt: asked.prompt,
      },
    };
    const done = applyAiResult(
      DEF,
      running,
      {
        status: "completed",
        output: { title: "Second" },
        attempts: [attempt("completed", { title: "Second" })],
      },
      deps(),
    );
    expect(done.run.reviews).toEqual({ revisions: { review: 1 } });
    const plain = await executeStep(draft, { ...ctx, run: done.run });
    expect(plain.kind === "dispatched" && plain.prompt).toBe("Write about queues.");
  });

  it("refuses a send-back past max_revisions with a conflict, and a key a review does not know", () => {
    const review = DEF.steps[1];
    if (review?.type !== "approval") throw new Error("setup");
    const shown = {
      aiStep: "draft",
      output: { title: "x" },
      contentHash: "sha256:ab",
      revision: 2,
      changesLeft: 0,
    };
    const wait = humanWait({ type: "approval", stepId: "review", review: shown });
    const actor = { approver: "ed", now: T0 };
    const over = checkResumeData(review, { decision: "changes_requested", comment: "Again" }, actor, {
      def: DEF,
      wait,
    });
    expect(over).toMatchObject({ ok: false, conflict: expect.stringMatching(/max_revisions/) });
    const unknown = checkResumeData(review, { decision: "approved", extra: 1 }, actor, { def: DEF, wait });
    expect(unknown).toMatchObject({
      ok: false,
      details: [expect.objectContaining({ keyword: "additionalProperties" })],
    });
  });
});

describe("a review decided by its timeout", () => {
  it("records the revision and hash it left unreviewed, unedited", async () => {
    const def = parseDef(`
id: timed
name: Timed
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write."
    schema: { type: object }
    output: draft
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
    review: draft
    timeout: 1h
    on_timeout: approve
    output: review
`);
    const review = def.steps[1];
    if (!review) throw new Error("setup");
    const run = runState({
      currentStep: "review",
      context: { static: {}, profile: {}, runtime: { draft: { a: 1 } } },
    });
    const outcome = await executeStep(review, { definition: def, run, now: T0, secrets: {} });
    if (outcome.kind !== "waiting" || !outcome.review) throw new Error("expected a review wait");
    const wait = humanWait({ type: "approval", stepId: "review", review: outcome.review, expiresAt: T0 + 1 });
    const parked: RunState = { ...run, status: "waiting", pending: wait };
    const action = decideAlarm(parked, def, T0 + 1, false);
    if (action.kind !== "time_out") throw new Error("expected a timeout");
    const t = resolveWait(def, parked, action.resolution, deps());
    expect(t.run.context.runtime.review).toMatchObject({
      decision: "approved",
      approver: "timeout",
      timed_out: true,
      revision: 1,
      content_hash: outcome.review.contentHash,
      edited: false,
      patch: [],
    });
    expect(t.events.find((e) => e.type === "review.decided")?.data).toMatchObject({
      decision: "approved",
      revision: 1,
    });
  });
});

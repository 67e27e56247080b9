import { createMessageBatch, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_AI_RESENDS } from "../../src/durable/ai-watchdog";
import { handleQueue, type QueueMessage } from "../../src/queue";
import { api } from "../helpers/api";
import { fakeOpenAiEnv, openAiRequests, scriptOpenAi } from "../helpers/fake-servers";
import { alarmOf, runDb } from "../helpers/run-db";
import { getRun, resumeRun, startRun } from "../helpers/runs";
import { deliver, pendingJob, waitFor } from "./queue-helpers";

// The story of issue 4: a person briefs, the AI drafts (schema-enforced), CEL routes, an editor approves.
const REVIEW = `
id: ai-review
name: AI review
start_step: brief
templates:
  draft_v1: "Write about {{runtime.topic}} for {{static.company}}."
context: { company: Acme }
steps:
  - id: brief
    type: form
    fields:
      - { name: topic, type: string, required: true }
    next: draft
  - id: draft
    type: ai_generate
    template: draft_v1
    system: You are precise.
    schema:
      type: object
      additionalProperties: false
      required: [title, score]
      properties:
        title: { type: string, maxLength: 80 }
        score: { type: integer, minimum: 0, maximum: 100 }
    output: draft
    next: gate
  - id: gate
    type: conditional
    branches:
      - when: "runtime.draft.score >= 0 && size(runtime.draft.title) > 0"
        next: review
    default: brief
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
    instructions: "Approve '{{runtime.draft.title}}'?"
    output: review
`;

// One ai_generate step per scenario: `model` selects the fake server's script; the mock (which the
// real queue consumer uses in tests) always times out, so only the consumer calls below decide.
const openaiFlow = (id: string, model: string, maxRetries = 1) => `
id: ${id}
name: OpenAI ${id}
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Summarise {{runtime.topic}}"
    model: ${model}
    max_retries: ${maxRetries}
    mock: { mode: timeout }
    schema:
      type: object
      additionalProperties: false
      required: [summary, rating]
      properties:
        summary: { type: string }
        rating: { type: integer, minimum: 1, maximum: 5 }
    output: result
`;

async function startOpenAiRun(scenario: string, maxRetries = 1) {
  const id = `oa-${scenario.slice(-8)}`;
  expect((await api("POST", "/v1/workflows", { yaml: openaiFlow(id, scenario, maxRetries) })).status).toBe(
    201,
  );
  const run = await startRun(id, { inputs: { topic: "queues" } });
  expect(run.body.status).toBe("running");
  return run.body.run_id;
}

beforeAll(async () => {
  expect((await api("POST", "/v1/workflows", { yaml: REVIEW })).status).toBe(201);
});

describe("form → ai_generate → conditional → approval with the mock provider", () => {
  it("runs end to end over HTTP, the AI step going through the queue", async () => {
    const started = await startRun("ai-review");
    const r1 = await resumeRun(started.body.run_id, started.body.waiting?.resume_token ?? "", {
      topic: "edge queues",
    });
    expect(r1.body).toMatchObject({ status: "running", current_step: "draft" });
    const atReview = await waitFor(
      r1.body.run_id,
      (s) => s.status === "waiting" && s.current_step === "review",
    );
    const done = await resumeRun(atReview.run_id, atReview.waiting?.resume_token ?? "", {
      decision: "approved",
    });
    expect(done.body.status).toBe("completed");

    const ctx = await api<{ runtime: { draft: { title: string; score: number } } }>(
      "GET",
      `/v1/executions/${atReview.run_id}/context`,
    );
    expect(typeof ctx.body.runtime.draft.title).toBe("string");
    expect(ctx.body.runtime.draft.title.length).toBeLessThanOrEqual(80);
    expect(Number.isInteger(ctx.body.runtime.draft.score)).toBe(true);

    const history = await api<{
      steps: Array<{
        step_id: string;
        attempts: Array<{ input: { messages: Array<{ content: string }> }; meta: Record<string, unknown> }>;
      }>;
    }>("GET", `/v1/executions/${atReview.run_id}/history`);
    const draft = history.body.steps.find((s) => s.step_id === "draft");
    expect(draft?.attempts).toHaveLength(1);
    expect(draft?.attempts[0]?.input.messages.map((m) => m.content)).toEqual([
      "You are precise.",
      "Write about edge queues for Acme.",
    ]);
    expect(draft?.attempts[0]?.meta).toMatchObject({
      provider: "mock",
      model: "mock-1",
      template_id: "draft_v1",
    });

    const events = await api<{ items: Array<{ type: string; data?: Record<string, unknown> }> }>(
      "GET",
      `/v1/executions/${atReview.run_id}/events`,
    );
    const response = events.body.items.find((e) => e.type === "ai.response");
    expect(response?.data).toMatchObject({ provider: "mock", template_id: "draft_v1", attempt: 1 });
    for (const key of ["tokens_prompt", "tokens_output", "latency_ms"]) {
      expect(typeof response?.data?.[key]).toBe("number");
    }
  });

  it("completes the step once when the same queue message is delivered twice", async () => {
    const id = "dup-delivery";
    const yaml = openaiFlow(id, "unused").replace("mock: { mode: timeout }", "mock: { mode: success }");
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startRun(id, { inputs: { topic: "x" } });
    const job = await pendingJob(run.body.run_id);
    const [a, b] = await Promise.all([deliver(job, 1), deliver(job, 1)]);
    expect(a.explicitAcks).toHaveLength(1);
    expect(b.explicitAcks).toHaveLength(1);
    await deliver(job, 2);
    const final = await waitFor(run.body.run_id, (s) => s.status === "completed");
    expect(final.status).toBe("completed");
    const counts = await runDb(run.body.run_id)
      .prepare(
        "SELECT (SELECT count(*) FROM run_steps WHERE run_id = ?1) AS steps, (SELECT count(*) FROM events WHERE run_id = ?1 AND type = 'step.completed') AS completed, (SELECT count(*) FROM events WHERE run_id = ?1 AND type = 'ai.response') AS responses",
      )
      .bind(run.body.run_id)
      .first<{ steps: number; completed: number; responses: number }>();
    expect(counts).toEqual({ steps: 1, completed: 1, responses: 1 });
  });
});

describe("the openai provider through the queue consumer (real SDK, fake server on 127.0.0.1)", () => {
  it("re-asks with the validation errors and completes with the valid second answer", async () => {
    const scenario = `scn-fix-${crypto.randomUUID().slice(0, 8)}`;
    await scriptOpenAi(scenario, [
      { json: { summary: "too good", rating: 9 }, usage: { prompt_tokens: 40, completion_tokens: 8 } },
      { json: { summary: "fixed", rating: 4 }, usage: { prompt_tokens: 90, completion_tokens: 7 } },
    ]);
    const runId = await startOpenAiRun(scenario);
    const result = await deliver(await pendingJob(runId), 1, fakeOpenAiEnv());
    expect(result.explicitAcks).toHaveLength(1);
    const final = await waitFor(runId, (s) => s.status === "completed");
    expect(final.status).toBe("completed");

    const reqs = await openAiRequests(scenario);
    expect(reqs).toHaveLength(2);
    expect(reqs[0]?.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { strict: true },
    });
    const format = reqs[0]?.body.response_format as { json_schema: { schema: { required: string[] } } };
    const schemaSent = format.json_schema.schema;
    expect(schemaSent.required).toEqual(["summary", "rating"]);
    const reask = reqs[1]?.body.messages.at(-1)?.content ?? "";
    expect(reask).toContain("/rating");
    expect(reask).toContain("maximum");
    expect(reqs[1]?.body.messages.some((m) => m.role === "assistant" && m.content.includes("too good"))).toBe(
      true,
    );

    const ctx = await api<{ runtime: { result: unknown } }>("GET", `/v1/executions/${runId}/context`);
    expect(ctx.body.runtime.result).toEqual({ summary: "fixed", rating: 4 });
    const history = await api<{
      steps: Array<{ attempts: Array<{ status: string; meta: { tokens_prompt: number } }> }>;
    }>("GET", `/v1/executions/${runId}/history`);
    expect(history.body.steps[0]?.attempts.map((a) => a.status)).toEqual(["failed", "completed"]);
    expect(history.body.steps[0]?.attempts.map((a) => a.meta.tokens_prompt)).toEqual([40, 90]);
  });

  it("fails the run with the last validation errors when retries are exhausted", async () => {
    const scenario = `scn-bad-${crypto.randomUUID().slice(0, 8)}`;
    await scriptOpenAi(scenario, [{ json: { summary: 1 } }, { json: { summary: "x", rating: 0 } }]);
    const runId = await startOpenAiRun(scenario, 1);
    await deliver(await pendingJob(runId), 1, fakeOpenAiEnv());
    const final = await waitFor(runId, (s) => s.status === "failed");
    expect(final.error?.code).toBe("schema_violation");
    expect(final.error?.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "/rating", keyword: "minimum" })]),
    );
    const events = await api<{ items: Array<{ type: string; data?: { errors?: unknown[] } }> }>(
      "GET",
      `/v1/executions/${runId}/events`,
    );
    const responses = events.body.items.filter((e) => e.type === "ai.response");
    expect(responses).toHaveLength(2);
    expect(responses.every((r) => (r.data?.errors ?? []).length > 0)).toBe(true);
  });

  it("retries the queue message with backoff on a 500, then succeeds on redelivery", async () => {
    const scenario = `scn-500-${crypto.randomUUID().slice(0, 8)}`;
    await scriptOpenAi(scenario, [
      { status: 500, body: { error: { message: "upstream broke", type: "server_error" } } },
      { json: { summary: "after retry", rating: 3 } },
    ]);
    const runId = await startOpenAiRun(scenario);
    const job = await pendingJob(runId);
    const first = await deliver(job, 1, fakeOpenAiEnv());
    expect(first.retryMessages).toHaveLength(1);
    expect(first.delays[0]).toBeGreaterThanOrEqual(2);
    expect((await getRun(runId)).body.status).toBe("running");
    const second = await deliver(job, 2, fakeOpenAiEnv());
    expect(second.explicitAcks).toHaveLength(1);
    expect((await waitFor(runId, (s) => s.status === "completed")).status).toBe("completed");
  });

  it("fails clearly without re-asking on a refusal", async () => {
    const scenario = `scn-ref-${crypto.randomUUID().slice(0, 8)}`;
    await scriptOpenAi(scenario, [{ refusal: "I can't help with that." }]);
    const runId = await startOpenAiRun(scenario);
    await deliver(await pendingJob(runId), 1, fakeOpenAiEnv());
    const final = await waitFor(runId, (s) => s.status === "failed");
    expect(final.error?.message).toMatch(/refus/i);
    expect(await openAiRequests(scenario)).toHaveLength(1);
  });

  it("fails the step from the dead-letter queue when the provider never recovers", async () => {
    const scenario = `scn-dlq-${crypto.randomUUID().slice(0, 8)}`;
    const runId = await startOpenAiRun(scenario);
    const job = await pendingJob(runId);
    const batch = createMessageBatch<QueueMessage>("scaff-dlq", [
      { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: job },
    ]);
    await handleQueue(batch, env);
    const final = await waitFor(runId, (s) => s.status === "failed");
    expect(final.error?.code).toBe("ai_unavailable");
    // A late success for the same attempt is ignored: the run stays failed.
    await scriptOpenAi(scenario, [{ json: { summary: "late", rating: 2 } }]);
    await deliver(job, 6, fakeOpenAiEnv());
    expect((await getRun(runId)).body.status).toBe("failed");
  });
});

describe("a lost AI job", () => {
  it("is re-sent by the run's alarm with backoff, and the step fails clearly when it never comes back", async () => {
    const scenario = `scn-lost-${crypto.randomUUID().slice(0, 8)}`;
    const runId = await startOpenAiRun(scenario);
    const stub = env.RUNS.get(env.RUNS.idFromName(runId));
    // The run's alarm once its index write landed (until then it may be the index watchdog's).
    const alarmIn = async () => ((await alarmOf(runId)) ?? 0) - Date.now();
    expect(await alarmIn()).toBeGreaterThan(20_000);

    const job = await pendingJob(runId);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Each attempt's re-sends are counted under its own key (parallel branches can wait for several jobs).
    const resent = await runInDurableObject(stub, (_i, state) =>
      state.storage.get<{ count: number }>(`aiResend:${job.attemptId}`),
    );
    expect(resent?.count).toBe(1);
    expect(await alarmIn()).toBeGreaterThan(50_000);
    expect((await getRun(runId)).body.status).toBe("running");

    await runInDurableObject(stub, (_i, state) =>
      state.storage.put(`aiResend:${job.attemptId}`, { attemptId: job.attemptId, count: MAX_AI_RESENDS }),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const final = await waitFor(runId, (s) => s.status === "failed");
    expect(final.error?.code).toBe("ai_lost");
    expect(await alarmOf(runId)).toBeNull();
  });
});

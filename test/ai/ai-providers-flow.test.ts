import { describe, expect, it } from "vitest";
import type { QueueMessage } from "../../src/queue";
import type { AiJobMessage } from "../../src/queue/messages";
import { api } from "../helpers/api";
import {
  anthropicRequests,
  fakeAnthropicEnv,
  fakeOpenAiEnv,
  openAiRequests,
  scriptAnthropic,
  scriptOpenAi,
} from "../helpers/fake-servers";
import { getRun, startRun } from "../helpers/runs";
import { deliver, pendingJob, waitFor } from "./queue-helpers";

// The anthropic provider and fallbacks through the real queue consumer. The queue the pool runs
// itself uses the mock, which times out for these steps, so only the deliveries below decide.

const flow = (id: string, model: string, fallback = "") => `
id: ${id}
name: Providers ${id}
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Summarise {{runtime.topic}}"
    model: ${model}
    max_retries: 1
    mock: { mode: timeout }
    ${fallback}
    schema:
      type: object
      required: [summary, rating]
      properties:
        summary: { type: string, maxLength: 40 }
        rating: { type: integer, minimum: 1, maximum: 5 }
        note: { type: string }
    output: result
`;

interface Event {
  type: string;
  data?: Record<string, unknown>;
}

const scenarioName = (tag: string) => `scn-${tag}-${crypto.randomUUID().slice(0, 8)}`;

async function startFlow(scenario: string, fallback = ""): Promise<string> {
  const id = `pv-${scenario.slice(-8)}`;
  const saved = await api("POST", "/v1/workflows", { yaml: flow(id, scenario, fallback) });
  expect(saved.status).toBe(201);
  const run = await startRun(id, { inputs: { topic: "queues" } });
  expect(run.body.status).toBe("running");
  return run.body.run_id;
}

async function aiResponses(runId: string): Promise<Array<Record<string, unknown>>> {
  const events = await api<{ items: Event[] }>("GET", `/v1/executions/${runId}/events`);
  return events.body.items.filter((e) => e.type === "ai.response").map((e) => e.data ?? {});
}

/** USD for tokens at per-million prices, as AI_PRICES defines it. */
const usd = (tokensIn: number, tokensOut: number, input: number, output: number) =>
  (tokensIn * input + tokensOut * output) / 1_000_000;

describe("the anthropic provider through the queue consumer (real SDK, fake server on 127.0.0.1)", () => {
  it("completes the step with the validated tool-call output; ai.response carries cost_usd by AI_PRICES", async () => {
    const scenario = scenarioName("an");
    await scriptAnthropic(scenario, [
      { tool: { summary: "x".repeat(60), rating: 3 }, usage: { input_tokens: 1200, output_tokens: 80 } },
      {
        tool: { summary: "Queues decouple work.", rating: 4 },
        usage: { input_tokens: 1500, output_tokens: 70 },
      },
    ]);
    const runId = await startFlow(scenario);
    const prices = JSON.stringify({ [scenario]: { input: 3, output: 15 } });
    const env = { ...fakeAnthropicEnv(), AI_PRICES: prices };
    const result = await deliver(await pendingJob(runId), 1, env);
    expect(result.explicitAcks).toHaveLength(1);
    await waitFor(runId, (s) => s.status === "completed");
    const ctx = await api<{ runtime: { result: unknown } }>("GET", `/v1/executions/${runId}/context`);
    expect(ctx.body.runtime.result).toEqual({ summary: "Queues decouple work.", rating: 4 });
    const responses = await aiResponses(runId);
    expect(responses.map((r) => [r.provider, r.tokens_prompt, r.tokens_output])).toEqual([
      ["anthropic", 1200, 80],
      ["anthropic", 1500, 70],
    ]);
    expect(responses[0]?.errors).toEqual([
      expect.objectContaining({ path: "/summary", keyword: "maxLength" }),
    ]);
    expect(responses[0]?.cost_usd).toBeCloseTo(usd(1200, 80, 3, 15), 9);
    expect(responses[1]?.cost_usd).toBeCloseTo(usd(1500, 70, 3, 15), 9);
  });

  it("retries a 529 overloaded through the queue (honouring retry-after), then completes", async () => {
    const scenario = scenarioName("529");
    await scriptAnthropic(scenario, [
      {
        status: 529,
        headers: { "retry-after": "11" },
        body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      },
      { tool: { summary: "After the storm.", rating: 2 } },
    ]);
    const runId = await startFlow(scenario);
    const job = await pendingJob(runId);
    const first = await deliver(job, 1, fakeAnthropicEnv());
    expect(first.retryMessages).toHaveLength(1);
    expect(first.delays[0]).toBeGreaterThanOrEqual(11);
    expect((await getRun(runId)).body.status).toBe("running");
    const second = await deliver(job, 2, fakeAnthropicEnv());
    expect(second.explicitAcks).toHaveLength(1);
    await waitFor(runId, (s) => s.status === "completed");
    expect(await anthropicRequests(scenario)).toHaveLength(2);
  });

  it("fails the step on a max_tokens stop without re-asking", async () => {
    const scenario = scenarioName("max");
    await scriptAnthropic(scenario, [
      { tool: { summary: "Queues" }, stop_reason: "max_tokens" },
      { tool: { summary: "never asked", rating: 1 } },
    ]);
    const runId = await startFlow(scenario);
    await deliver(await pendingJob(runId), 1, fakeAnthropicEnv());
    const final = await waitFor(runId, (s) => s.status === "failed");
    expect(final.error?.code).toBe("ai_failed");
    expect(final.error?.message).toContain("max_tokens");
    expect(await anthropicRequests(scenario)).toHaveLength(1);
  });
});

describe("fallback: when the primary stays unavailable through every queue retry", () => {
  it("the next target answers with a fresh retry budget, the step completes, and events name both", async () => {
    const primary = scenarioName("pri");
    const secondary = scenarioName("sec");
    const busy = {
      status: 503,
      body: { type: "error", error: { type: "api_error", message: "unavailable" } },
    };
    await scriptAnthropic(primary, [busy, busy]);
    await scriptOpenAi(secondary, [
      {
        json: { summary: "From the fallback.", rating: 5, note: null },
        usage: { prompt_tokens: 300, completion_tokens: 30 },
      },
    ]);
    const runId = await startFlow(primary, `fallback: { provider: openai, model: ${secondary} }`);
    const prices = JSON.stringify({ [secondary]: { input: 0.5, output: 2 } });
    const env = { ...fakeOpenAiEnv(), ...fakeAnthropicEnv(), AI_PRICES: prices };
    const job = await pendingJob(runId);
    expect((await deliver(job, 1, env)).retryMessages).toHaveLength(1);
    expect((await deliver(job, 2, env)).retryMessages).toHaveLength(1);

    // The queue gave up on the primary: its dead-letter consumer hands the job to the fallback.
    const sent: QueueMessage[] = [];
    const jobs = { send: async (m: QueueMessage) => void sent.push(m) } as unknown as Queue;
    await deliver(job, 1, { ...env, AI_JOBS: jobs }, "scaff-dlq");
    expect((await getRun(runId)).body.status).toBe("running");
    expect(sent).toEqual([{ ...job, fallback: 1 }]);

    const answered = await deliver(sent[0] as AiJobMessage, 1, env);
    expect(answered.explicitAcks).toHaveLength(1);
    await waitFor(runId, (s) => s.status === "completed");
    const ctx = await api<{ runtime: { result: unknown } }>("GET", `/v1/executions/${runId}/context`);
    expect(ctx.body.runtime.result).toEqual({ summary: "From the fallback.", rating: 5 });
    expect(await anthropicRequests(primary)).toHaveLength(2);
    expect(await openAiRequests(secondary)).toHaveLength(1);

    const responses = await aiResponses(runId);
    expect(responses.map((r) => [r.provider, r.model, r.attempt])).toEqual([
      ["anthropic", primary, 1],
      ["openai", secondary, 2],
    ]);
    expect(responses[0]?.error).toContain("stayed unavailable through every queue retry");
    expect(responses[1]).toMatchObject({ fallback_from: "anthropic", tokens_prompt: 300, tokens_output: 30 });
    expect(responses[1]?.error).toBeUndefined();
    expect(responses[1]?.cost_usd).toBeCloseTo(usd(300, 30, 0.5, 2), 9);
  });

  it("fails the step as unavailable once the last fallback gave up too", async () => {
    const primary = scenarioName("pri2");
    const runId = await startFlow(primary, `fallback: [{ provider: openai, model: ${primary}-b }]`);
    const job = await pendingJob(runId);
    await deliver({ ...job, fallback: 1 }, 1, { ...fakeOpenAiEnv(), ...fakeAnthropicEnv() }, "scaff-dlq");
    const final = await waitFor(runId, (s) => s.status === "failed");
    expect(final.error?.code).toBe("ai_unavailable");
  });
});

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { resendAiJob } from "../../src/durable/ai-watchdog";
import type { RunState } from "../../src/engine/state";
import { usageOf } from "../../src/engine/usage";
import { createLogger } from "../../src/lib/logger";
import type { QueueMessage } from "../../src/queue";
import type { AiJobMessage } from "../../src/queue/messages";
import { api } from "../helpers/api";
import { fakeAnthropicEnv, fakeOpenAiEnv, newScenario, scriptOpenAi } from "../helpers/fake-servers";
import { indexSettled, runStubOf } from "../helpers/run-db";
import { getRun, resumeRun, startedRun } from "../helpers/runs";
import { deliver, pendingJob, waitFor } from "./queue-helpers";

// What a run's AI steps used, on its status body and in its workflow's stats, against the events.

const flow = (id: string, model: string, extra = "") => `
id: ${id}
name: Usage ${id}
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Summarise {{runtime.topic}}"
    model: ${model}
    max_retries: 1
    mock: { mode: timeout }
    ${extra}
    schema:
      type: object
      required: [summary]
      properties:
        summary: { type: string, maxLength: 20 }
    output: result
    next: check
  - id: check
    type: form
    fields:
      - { name: ok, type: boolean }
`;

interface Event {
  type: string;
  data?: Record<string, number | null | undefined>;
}

interface Usage {
  tokens_prompt: number;
  tokens_output: number;
  cost_usd: number;
  ai_attempts: number;
  re_asks: number;
}

const usageOfRun = async (runId: string) => (await getRun(runId)).body as unknown as { usage: Usage };

async function aiResponses(runId: string) {
  const events = await api<{ items: Event[] }>("GET", `/v1/executions/${runId}/events`);
  return events.body.items.filter((e) => e.type === "ai.response").map((e) => e.data ?? {});
}

describe("usageOf", () => {
  const response = (stepId: string, attempt: number, over: Record<string, unknown> = {}) => ({
    type: "ai.response",
    stepId,
    data: { attempt, tokens_prompt: 10, tokens_output: 2, cost_usd: 0.001, ...over },
  });

  it("sums every attempt, counts a re-ask only after an invalid answer of the same step, and human fixes", () => {
    const u = usageOf([
      { type: "ai.request", stepId: "a", data: { attempt: 1 } },
      response("a", 1, { errors: [{ path: "/x" }] }),
      response("a", 2),
      // A fallback's stand-in for a primary that gave up is no invalid answer: no re-ask after it.
      response("b", 1, { error: "stayed unavailable", tokens_prompt: 0, tokens_output: 0, cost_usd: 0 }),
      response("b", 2, { cost_usd: null }),
      { type: "ai.fixed", stepId: "b", data: null },
    ]);
    expect(u).toEqual({
      tokens_prompt: 30,
      tokens_output: 6,
      cost_usd: 0.002,
      ai_attempts: 4,
      re_asks: 1,
      human_fixes: 1,
    });
  });
});

describe("usage on the status body and GET /v1/workflows/{id}/stats", () => {
  const scenario = newScenario();
  const wf = `usage-${scenario.slice(4, 12)}`;
  const prices = JSON.stringify({ [scenario]: { input: 2, output: 8 } });
  const aiEnv = { ...fakeOpenAiEnv(), AI_PRICES: prices };
  const runs: string[] = [];

  beforeAll(async () => {
    expect((await api("POST", "/v1/workflows", { yaml: flow(wf, scenario) })).status).toBe(201);
    await scriptOpenAi(scenario, [
      // Run 1: an answer too long (re-asked), then a valid one; completed after the form.
      { json: { summary: "x".repeat(30) }, usage: { prompt_tokens: 1000, completion_tokens: 50 } },
      { json: { summary: "Short." }, usage: { prompt_tokens: 1200, completion_tokens: 20 } },
      // Run 2: valid at once; left waiting on the form.
      { json: { summary: "Fine." }, usage: { prompt_tokens: 700, completion_tokens: 10 } },
      // Run 3: invalid twice: the step fails.
      { json: { summary: "y".repeat(30) }, usage: { prompt_tokens: 400, completion_tokens: 40 } },
      { json: { summary: "z".repeat(30) }, usage: { prompt_tokens: 450, completion_tokens: 40 } },
    ]);
    for (let i = 0; i < 3; i++) {
      const run = await startedRun(wf, { inputs: { topic: `t${i}` } });
      runs.push(run.run_id);
      expect((await deliver(await pendingJob(run.run_id), 1, aiEnv)).explicitAcks).toHaveLength(1);
      await waitFor(run.run_id, (s) => s.status !== "running");
    }
    const first = await getRun(runs[0] ?? "");
    await resumeRun(runs[0] ?? "", first.body.waiting?.resume_token ?? "", { ok: true });
    for (const id of runs) await indexSettled(id);
  });

  it("the status body says what the run's AI attempts used, as its ai.response events do", async () => {
    const first = await usageOfRun(runs[0] ?? "");
    expect(first.usage).toEqual({
      tokens_prompt: 2200,
      tokens_output: 70,
      cost_usd: (2200 * 2 + 70 * 8) / 1_000_000,
      ai_attempts: 2,
      re_asks: 1,
      human_fixes: 0,
    });
    const events = await aiResponses(runs[0] ?? "");
    expect(events.map((e) => e.cost_usd)).toEqual([(1000 * 2 + 50 * 8) / 1e6, (1200 * 2 + 20 * 8) / 1e6]);
    // The list reads D1's index, which has the same usage.
    const list = await api<{ items: Array<{ run_id: string; usage: Usage }> }>(
      "GET",
      `/v1/executions?workflow_id=${wf}`,
    );
    expect(list.body.items.find((r) => r.run_id === runs[0])?.usage).toEqual(first.usage);
  });

  it("/stats counts runs per status and totals exactly the ai.response events of those runs", async () => {
    const res = await api<Record<string, Record<string, unknown>>>("GET", `/v1/workflows/${wf}/stats`);
    expect(res.status, res.text).toBe(200);
    const all = (await Promise.all(runs.map(aiResponses))).flat();
    const sum = (k: string) => all.reduce((s, e) => s + Number(e[k] ?? 0), 0);
    expect(res.body.runs).toEqual({
      total: 3,
      by_status: { running: 0, waiting: 1, completed: 1, rejected: 0, failed: 1, cancelled: 0 },
    });
    expect(res.body.ai).toMatchObject({
      attempts: all.length,
      re_asks: 2,
      human_fixes: 0,
      tokens_prompt: sum("tokens_prompt"),
      tokens_output: sum("tokens_output"),
    });
    expect(res.body.ai?.cost_usd).toBeCloseTo(sum("cost_usd"), 9);
    expect(all.length).toBe(5);
    // Durations over the two finished runs (nearest rank): p50 the shorter, p95 the longer.
    const finished = await env.DB.prepare(
      "SELECT finished_at - created_at AS d FROM run_index WHERE workflow_id = ? AND finished_at IS NOT NULL ORDER BY d",
    )
      .bind(wf)
      .all<{ d: number }>();
    const d = finished.results.map((r) => r.d);
    expect(d).toHaveLength(2);
    expect(res.body.duration_ms).toEqual({ p50: d[0], p95: d[1] });
  });

  it("since leaves out older runs; an unknown workflow is 404, a bad since 422", async () => {
    const later = new Date(Date.now() + 60_000).toISOString();
    const none = await api<Record<string, Record<string, unknown>>>(
      "GET",
      `/v1/workflows/${wf}/stats?since=${encodeURIComponent(later)}`,
    );
    expect(none.status).toBe(200);
    expect(none.body.runs?.total).toBe(0);
    expect(none.body.duration_ms).toEqual({ p50: null, p95: null });
    expect((await api("GET", "/v1/workflows/no-such-flow/stats")).status).toBe(404);
    expect((await api("GET", `/v1/workflows/${wf}/stats?since=yesterday`)).status).toBe(422);
  });
});

describe("a person's fix", () => {
  it("counts as a human fix on the status body, after the re-ask that came before it", async () => {
    const yaml = `
id: usage-fix
name: Usage fix
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Rate {{runtime.topic}}."
    max_retries: 1
    mock: { mode: schema_violation, failures: 5 }
    on_invalid: fix
    schema:
      type: object
      required: [title]
      properties:
        title: { type: string, minLength: 3 }
    output: rating
`;
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startedRun("usage-fix", { inputs: { topic: "x" } });
    const waiting = await waitFor(run.run_id, (s) => s.status === "waiting");
    expect(waiting.waiting?.type).toBe("fix");
    const done = await resumeRun(run.run_id, waiting.waiting?.resume_token ?? "", {
      output: { title: "Fixed" },
    });
    expect(done.body.status).toBe("completed");
    const after = (await usageOfRun(run.run_id)).usage;
    expect(after as unknown as Record<string, number>).toMatchObject({
      ai_attempts: 2,
      re_asks: 1,
      human_fixes: 1,
    });
    // The resume that recorded the fix answers with it already counted, as the status read then does.
    expect((done.body as unknown as { usage: Usage }).usage).toEqual(after);
  });
});

describe("the AI watchdog re-sends a job to the target it is on", () => {
  it("after the dead-letter consumer moved a job to its fallback, a re-send goes to the fallback, not the primary", async () => {
    const scenario = newScenario();
    const wf = `wd-${scenario.slice(4, 12)}`;
    const yaml = flow(wf, scenario, `fallback: { provider: anthropic, model: ${scenario}-b }`);
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startedRun(wf, { inputs: { topic: "x" } });
    const job = await pendingJob(run.run_id);

    const resent = async (): Promise<QueueMessage[]> => {
      const sent: QueueMessage[] = [];
      const jobs = { send: async (m: QueueMessage) => void sent.push(m) } as unknown as Queue;
      await runInDurableObject(runStubOf(run.run_id), async (_i, state) => {
        const row = state.storage.sql.exec("SELECT * FROM runs").one();
        const r: RunState = {
          ...(row as unknown as RunState),
          status: "running",
          pending: JSON.parse(String(row.pending)),
        };
        expect(await resendAiJob({ ...env, AI_JOBS: jobs }, state.storage, r, createLogger("error"))).toBe(
          "resent",
        );
      });
      return sent;
    };
    // Still on the primary: the re-sent job names no fallback.
    expect(await resent()).toEqual([job]);

    const sent: QueueMessage[] = [];
    const jobs = { send: async (m: QueueMessage) => void sent.push(m) } as unknown as Queue;
    await deliver(job, 1, { ...fakeOpenAiEnv(), ...fakeAnthropicEnv(), AI_JOBS: jobs }, "scaff-dlq");
    expect(sent).toEqual([{ ...job, fallback: 1 } satisfies AiJobMessage]);
    expect(await resent()).toEqual([{ ...job, fallback: 1 }]);
  });
});

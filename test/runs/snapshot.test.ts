import { describe, expect, it } from "vitest";
import type { RunRow } from "../../src/db/schema";
import { idNamedBy, newId } from "../../src/lib/ids";
import { summaryOf } from "../../src/run-db/index-entry";
import { humanWait } from "../helpers/states";

// What a keyed start's run id is, and what D1's index keeps of a run, on plain values.

describe("idNamedBy", () => {
  it("names the same id for the same text, in the shape of every run id", async () => {
    const a = await idNamedBy("run", "tester\u0000key-1");
    expect(a).toBe(await idNamedBy("run", "tester\u0000key-1"));
    expect(a).not.toBe(await idNamedBy("run", "other\u0000key-1"));
    expect(a).toMatch(/^run_[0-9a-z]{26}$/);
    expect(newId("run")).toMatch(/^run_[0-9a-z]{26}$/);
  });
});

const row = (over: Partial<RunRow> = {}): RunRow => ({
  id: "run_1",
  workflowId: "wf",
  workflowVersion: 2,
  status: "waiting",
  currentStep: "ask",
  context: "{}",
  error: null,
  pending: JSON.stringify(humanWait({ startedAt: 10 })),
  stepsExecuted: 1,
  version: 3,
  idempotencyKey: "k",
  requestHash: "h",
  createdBy: "tester",
  createdAt: 5,
  updatedAt: 42,
  finishedAt: null,
  ...over,
});

describe("summaryOf", () => {
  it("keeps what lists and an inbox need, not the context", () => {
    const wait = humanWait({ startedAt: 10 });
    expect(summaryOf(row())).toEqual({
      id: "run_1",
      workflowId: "wf",
      workflowVersion: 2,
      status: "waiting",
      currentStep: "ask",
      error: null,
      version: 3,
      waitStepId: wait.stepId,
      waitType: wait.type,
      waitExpiresAt: wait.expiresAt,
      createdBy: "tester",
      idempotencyKey: "k",
      createdAt: 5,
      updatedAt: 42,
      finishedAt: null,
      parentRunId: null,
      ...{ tokensPrompt: 0, tokensOutput: 0, costUsd: 0, aiAttempts: 0, reAsks: 0, humanFixes: 0 },
    });
  });

  it("names no wait once the run no longer waits", () => {
    const done = summaryOf(row({ status: "completed", pending: null, finishedAt: 50 }));
    expect(done).toMatchObject({ status: "completed", waitStepId: null, waitType: null, finishedAt: 50 });
  });
});

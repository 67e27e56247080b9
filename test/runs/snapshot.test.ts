import { describe, expect, it } from "vitest";
import { startCommitError } from "../../src/durable/idempotency-race";
import { runSnapshot } from "../../src/durable/snapshot";
import type { RunState } from "../../src/engine/state";
import { AppError } from "../../src/lib/errors";
import { humanWait, runState } from "../helpers/states";

// What the run's object answers and how a start's lost idempotency race reads, on plain objects.

const wait = humanWait({ startedAt: 10 });

const run = (over: Partial<RunState> = {}): RunState =>
  runState({
    workflowVersion: 2,
    status: "waiting",
    context: { static: { a: 1 }, profile: {}, runtime: { b: 2 } },
    pending: wait,
    version: 3,
    createdAt: 5,
    ...over,
  });

const minted = { waitId: "wait_1", jti: "tok_1", expiresAt: 1000, createdAt: 10 };

describe("runSnapshot", () => {
  it("is the run record as the last commit wrote it, with the open wait's API token", () => {
    expect(runSnapshot(run(), { committedAt: 42, requestHash: "h", minted })).toEqual({
      record: {
        id: "run_1",
        workflowId: "wf",
        workflowVersion: 2,
        status: "waiting",
        currentStep: "ask",
        context: { static: { a: 1 }, profile: {}, runtime: { b: 2 } },
        error: null,
        pending: wait,
        stepsExecuted: 1,
        version: 3,
        requestHash: "h",
        createdAt: 5,
        updatedAt: 42,
      },
      apiToken: minted,
    });
  });

  it("leaves the token out when it is another wait's, or the run no longer waits", () => {
    const other = { ...minted, waitId: "wait_0" };
    expect(runSnapshot(run(), { committedAt: 1, requestHash: null, minted: other })).not.toHaveProperty(
      "apiToken",
    );
    const done = run({ status: "completed", pending: null, currentStep: null });
    expect(runSnapshot(done, { committedAt: 1, requestHash: null, minted })).not.toHaveProperty("apiToken");
    expect(runSnapshot(run(), { committedAt: 1, requestHash: null, minted: undefined })).not.toHaveProperty(
      "apiToken",
    );
  });
});

describe("startCommitError", () => {
  const unique = "UNIQUE constraint failed: runs.created_by, runs.idempotency_key";

  it("turns the unique-key violation of a lost idempotency race into a conflict", () => {
    for (const e of [
      new Error(`D1_ERROR: ${unique}`),
      new Error("batch failed", { cause: new Error(unique) }),
    ]) {
      const mapped = startCommitError(e);
      expect(mapped).toBeInstanceOf(AppError);
      expect(mapped).toMatchObject({ code: "conflict", message: "idempotency_race" });
    }
  });

  it("leaves every other error as it was", () => {
    const other = new Error("UNIQUE constraint failed: runs.id");
    expect(startCommitError(other)).toBe(other);
    expect(startCommitError("text")).toBe("text");
  });
});

import { describe, expect, it } from "vitest";
import { type LinkToken, openWait, tokenMatches } from "../../src/engine/link-check";
import type { RunState } from "../../src/engine/state";
import { humanWait } from "../helpers/states";

// Whether a link still works, on plain objects: the same answer for the API's resume and the pages.

const wait = humanWait();
const target = { runId: "run_1", waitId: "wait_1", stepId: "ask" };
const token: LinkToken = { runId: "run_1", waitId: "wait_1", usedAt: null, revokedAt: null };
const waiting: Pick<RunState, "status" | "pending"> = { status: "waiting", pending: wait };

describe("tokenMatches", () => {
  it("accepts the stored token of the link's run and wait only", () => {
    expect(tokenMatches(token, target)).toBe(true);
    expect(tokenMatches(null, target)).toBe(false);
    expect(tokenMatches({ ...token, runId: "run_2" }, target)).toBe(false);
    expect(tokenMatches({ ...token, waitId: "wait_2" }, target)).toBe(false);
  });
});

describe("openWait", () => {
  it("is the run's wait while the run waits on the link's wait and step and the token is unused", () => {
    expect(openWait(waiting, token, target)).toBe(wait);
  });

  it("is closed once the token was used or revoked", () => {
    expect(openWait(waiting, { ...token, usedAt: 5 }, target)).toBeNull();
    expect(openWait(waiting, { ...token, revokedAt: 5 }, target)).toBeNull();
  });

  it("is closed once the run waits on another wait or step, or no longer waits", () => {
    expect(openWait(waiting, token, { ...target, waitId: "wait_2" })).toBeNull();
    expect(openWait(waiting, token, { ...target, stepId: "other" })).toBeNull();
    expect(openWait({ status: "running", pending: null }, token, target)).toBeNull();
    expect(openWait({ status: "completed", pending: null }, token, target)).toBeNull();
    expect(openWait({ status: "cancelled", pending: wait }, token, target)).toBeNull();
    const ai = { kind: "ai" as const, stepId: "ask", seq: 1, attemptId: "att_1", startedAt: 0, prompt: "" };
    expect(openWait({ status: "running", pending: ai }, token, target)).toBeNull();
  });
});

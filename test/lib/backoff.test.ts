import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "../../src/lib/backoff";
import { QUEUE_BACKOFF, retryDelaySeconds } from "../../src/queue/backoff";

describe("backoff", () => {
  it("doubles from the base delay and stops at the cap", () => {
    const policy = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(policy, n))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("jitters into [½, 1]× of the full delay only when the policy asks", () => {
    const policy = { baseMs: 1_000, maxMs: 60_000, jitter: true };
    expect(backoffDelayMs(policy, 2, () => 0)).toBe(1_000);
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(1_500);
    expect(backoffDelayMs(policy, 2, () => 0.999999)).toBe(2_000);
    expect(backoffDelayMs({ ...policy, jitter: false }, 2, () => 0)).toBe(2_000);
  });

  it("retries queue messages after 2^attempt seconds, capped at 5 minutes", () => {
    expect(QUEUE_BACKOFF).toEqual({ baseMs: 2_000, maxMs: 300_000 });
    expect([0, 1, 2, 3, 8, 9, 50].map((n) => retryDelaySeconds(n))).toEqual([2, 2, 4, 8, 256, 300, 300]);
  });

  it("waits for a longer Retry-After, up to an hour, and rounds up to whole seconds", () => {
    expect(retryDelaySeconds(1, 30)).toBe(30);
    expect(retryDelaySeconds(5, 3)).toBe(32);
    expect(retryDelaySeconds(1, 2.2)).toBe(3);
    expect(retryDelaySeconds(1, 86_400)).toBe(3_600);
  });
});

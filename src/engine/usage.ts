/**
 * What a run's AI steps used, folded from its events: every `ai.response` counts as one attempt with its
 * tokens and cost; an attempt that follows an invalid answer of the same step is a re-ask; an `ai.fixed`
 * event (a person supplied the output the AI could not) is a human fix. Attempts of a model without a
 * price add nothing to `cost_usd` (their `ai.response` says `cost_usd: null`).
 */
export interface RunUsage {
  tokens_prompt: number;
  tokens_output: number;
  cost_usd: number;
  ai_attempts: number;
  re_asks: number;
  human_fixes: number;
}

/** An event as the fold reads it. */
export interface UsageEvent {
  type: string;
  stepId: string | null;
  data: Record<string, unknown> | null;
}

export const NO_USAGE: RunUsage = {
  tokens_prompt: 0,
  tokens_output: 0,
  cost_usd: 0,
  ai_attempts: 0,
  re_asks: 0,
  human_fixes: 0,
};

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const invalid = (data: Record<string, unknown>) => Array.isArray(data.errors) && data.errors.length > 0;

/** Rounds to 1e-9 USD like each event's cost, so a sum of costs reads like the costs. */
export const roundUsd = (usd: number): number => Math.round(usd * 1e9) / 1e9;

/** The usage of a run from its events in order (see the file comment). */
export function usageOf(events: readonly UsageEvent[]): RunUsage {
  const u = { ...NO_USAGE };
  /** Per step: the attempt number of its last answer, and whether that answer was invalid. */
  const last = new Map<string, { attempt: number; invalid: boolean }>();
  for (const e of events) {
    if (e.type === "ai.fixed") u.human_fixes += 1;
    if (e.type !== "ai.response" || !e.data) continue;
    u.ai_attempts += 1;
    u.tokens_prompt += num(e.data.tokens_prompt);
    u.tokens_output += num(e.data.tokens_output);
    u.cost_usd += num(e.data.cost_usd);
    const attempt = num(e.data.attempt);
    const key = e.stepId ?? "";
    const before = last.get(key);
    if (before?.invalid && attempt === before.attempt + 1) u.re_asks += 1;
    last.set(key, { attempt, invalid: invalid(e.data) });
  }
  u.cost_usd = roundUsd(u.cost_usd);
  return u;
}

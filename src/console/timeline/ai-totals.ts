import type { StepView } from "../../run-db/history";

/** What AI attempts cost together: tokens in and out, and USD (null when a model had no price). */
export interface AiTotals {
  calls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number | null;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** Sums the tokens and cost of every AI attempt of `steps`. */
export function aiTotals(steps: readonly StepView[]): AiTotals {
  const totals: AiTotals = { calls: 0, tokensIn: 0, tokensOut: 0, costUsd: 0 };
  for (const step of steps) {
    if (step.type !== "ai_generate") continue;
    for (const a of step.attempts) {
      const meta = (a.meta ?? {}) as Record<string, unknown>;
      if (a.meta === undefined) continue;
      totals.calls++;
      totals.tokensIn += num(meta.tokens_prompt);
      totals.tokensOut += num(meta.tokens_output);
      const cost = meta.cost_usd;
      totals.costUsd = typeof cost === "number" && totals.costUsd !== null ? totals.costUsd + cost : null;
    }
  }
  return totals;
}

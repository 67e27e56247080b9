/**
 * Which provider answers an AI job: the step's `provider:` (else AI_PROVIDER) with its `model:`, and
 * after it the step's `fallback:` list, in order. A job carries its place in that list (`tier`); the
 * dead-letter queue moves a job whose provider stayed unavailable through every queue retry on to the
 * next tier, which gets a whole retry budget of its own.
 */
import type { AiGenerateStep } from "../definitions/types";

export interface AiTargetChoice {
  /** A provider name (from the step, or AI_PROVIDER as configured). */
  provider: string;
  model?: string;
}

/** Every target of a step, the primary first. */
export function aiTargets(
  step: Pick<AiGenerateStep, "provider" | "model" | "fallback">,
  envProvider?: string,
) {
  const primary: AiTargetChoice = {
    provider: step.provider ?? envProvider?.trim() ?? "",
    ...(step.model ? { model: step.model } : {}),
  };
  return [primary, ...(step.fallback ?? [])] as AiTargetChoice[];
}

/** "anthropic (claude-sonnet-4-5)" or "anthropic" for a target without a model. */
export const targetLabel = (t: AiTargetChoice): string =>
  t.model ? `${t.provider} (${t.model})` : t.provider;

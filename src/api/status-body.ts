import { publicBaseUrl } from "../config/env";
import { type ApiToken, apiTokenFor, type RunRecord } from "../db/run-queries";
import { loadDefinition } from "../definitions/cache";
import { stepById } from "../engine/engine";
import { templateView } from "../engine/view";
import { renderText } from "../lib/render";
import { parseTokenSecrets, signResumeToken } from "../tokens";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The public status body of a run; a waiting run carries its API resume token and what to render.
 * `known` is the wait's API token when the caller already read or minted it (null: it has none);
 * undefined means unknown, and it is read from D1.
 */
export async function statusBody(env: Env, run: RunRecord, requestOrigin: string, known?: ApiToken | null) {
  const body = summaryBody(run);
  const wait = run.pending;
  if (run.status !== "waiting" || wait?.kind !== "human") return body;
  const token =
    known === undefined || (known !== null && known.waitId !== wait.waitId)
      ? await apiTokenFor(env.DB, run.id, wait.waitId)
      : known;
  const def = await loadDefinition(env.DB, run.workflowId, run.workflowVersion);
  if (!token || !def) return body;
  const signed = await signResumeToken(
    parseTokenSecrets(env.RESUME_TOKEN_SECRETS),
    { runId: run.id, stepId: wait.stepId, waitId: wait.waitId, jti: token.jti, expiresAt: token.expiresAt },
    token.createdAt,
  );
  const step = stepById(def, wait.stepId);
  return {
    ...body,
    waiting: {
      step_id: wait.stepId,
      type: wait.type,
      resume_token: signed,
      resume_url: `${publicBaseUrl(env, requestOrigin)}/r/${signed}`,
      expires_at: iso(wait.expiresAt),
      ...(step.type === "form" ? { fields: step.fields, ...(step.title ? { title: step.title } : {}) } : {}),
      ...(step.type === "approval" && step.instructions
        ? { instructions: renderText(step.instructions, templateView(run)) }
        : {}),
    },
  };
}

/** The list item form of a run: the status body without the wait. */
export function summaryBody(run: RunRecord) {
  return {
    run_id: run.id,
    workflow_id: run.workflowId,
    workflow_version: run.workflowVersion,
    status: run.status,
    current_step: run.currentStep,
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
    ...(run.error ? { error: run.error } : {}),
  };
}

import { publicBaseUrl } from "../config/env";
import type { RunSummary } from "../db/run-index";
import { loadDefinition } from "../definitions/cache";
import type { Definition } from "../definitions/types";
import type { RunSnapshot } from "../durable/snapshot";
import { approvalCount } from "../engine/approval-policy";
import { stepById } from "../engine/engine";
import { focusFirstWait } from "../engine/lanes";
import type { HumanWait } from "../engine/state";
import { templateView } from "../engine/view";
import { renderText } from "../lib/render";
import { parseTokenSecrets, signResumeToken } from "../tokens";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The public status body of a run, from what its object answered; a waiting run carries its API
 * resume token and what to render.
 */
export async function statusBody(env: Env, snapshot: RunSnapshot, requestOrigin: string) {
  const { record: run, apiToken: token } = snapshot;
  const body = summaryBody({ ...run, usage: snapshot.usage, parentRunId: snapshot.parentRunId ?? null });
  // The first open wait (several while parallel branches wait: each answered in turn, or by its links).
  const view = focusFirstWait(run);
  const wait = view.pending;
  if (view.status !== "waiting" || wait?.kind !== "human") return body;
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
        ? { instructions: renderText(step.instructions, templateView(view)) }
        : {}),
      ...waitExtras(def, wait),
      ...(step.type === "approval" ? { approvals: approvalCount(wait) } : {}),
    },
  };
}

/** What a review or a fix wait shows, for API clients that decide without the page. */
function waitExtras(def: Definition, wait: HumanWait) {
  const step = stepById(def, wait.stepId);
  if (wait.review && step.type === "approval") {
    const ai = stepById(def, wait.review.aiStep);
    const r = wait.review;
    return {
      review: {
        step_id: r.aiStep,
        output: r.output,
        content_hash: r.contentHash,
        revision: r.revision,
        editable: step.editable ?? false,
        allow_changes: step.allow_changes ?? false,
        changes_left: r.changesLeft,
        schema: ai.type === "ai_generate" ? ai.schema : true,
      },
    };
  }
  if (wait.fix && step.type === "ai_generate") {
    return { fix: { output: wait.fix.output, errors: wait.fix.errors, schema: step.schema } };
  }
  return {};
}

/** The list item form of a run: the status body without the wait (`parent_run_id` included). */
export function summaryBody(run: RunSummary) {
  return {
    run_id: run.id,
    workflow_id: run.workflowId,
    workflow_version: run.workflowVersion,
    status: run.status,
    current_step: run.currentStep,
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
    usage: run.usage,
    parent_run_id: run.parentRunId,
    ...(run.error ? { error: run.error as NonNullable<RunSnapshot["record"]["error"]> } : {}),
  };
}

import { expect } from "vitest";
import type { Pending } from "../../src/engine/state";
import { type ApiResponse, api } from "./api";
import { runDb } from "./run-db";

/** The run status body (`GET /v1/executions/:id`, and what start and resume answer). */
export interface RunStatus {
  run_id: string;
  workflow_id: string;
  status: string;
  current_step: string | null;
  workflow_version: number;
  error?: { code: string; message: string; step_id?: string; details?: Array<Record<string, unknown>> };
  waiting?: {
    step_id: string;
    type: string;
    resume_token: string;
    resume_url: string;
    expires_at: string;
    fields?: Array<{ name: string }>;
    instructions?: string;
  };
}

/** A workflow whose one step is a form with a required `note` field (a run that waits once, then completes). */
export const noteForm = (id: string, name = id): string => `
id: ${id}
name: ${name}
start_step: ask
steps:
  - id: ask
    type: form
    fields:
      - { name: note, type: string, required: true }
    output: answer
`;

export interface StartOptions {
  inputs?: Record<string, unknown>;
  profile?: Record<string, unknown>;
  /** Sent as the Idempotency-Key header. */
  key?: string;
}

/** `POST /v1/executions` for `workflow`; the response as it came (inputs and profile default to `{}`). */
export function startRun(workflow: string, opts: StartOptions = {}): Promise<ApiResponse<RunStatus>> {
  return api<RunStatus>("POST", "/v1/executions", {
    json: { workflow_id: workflow, inputs: opts.inputs ?? {}, profile: opts.profile ?? {} },
    headers: opts.key ? { "idempotency-key": opts.key } : {},
  });
}

/** Starts a run and asserts it was accepted (202); its status body. */
export async function startedRun(workflow: string, opts: StartOptions = {}): Promise<RunStatus> {
  const res = await startRun(workflow, opts);
  expect(res.status, res.text).toBe(202);
  return res.body;
}

/** `POST /v1/executions/:id/resume` with a wait's token and what the person submitted. */
export const resumeRun = (runId: string, token: string, data: unknown): Promise<ApiResponse<RunStatus>> =>
  api<RunStatus>("POST", `/v1/executions/${runId}/resume`, { json: { token, data } });

/** `GET /v1/executions/:id`. */
export const getRun = (runId: string): Promise<ApiResponse<RunStatus>> =>
  api<RunStatus>("GET", `/v1/executions/${runId}`);

/** What a run is parked on as its object stores it (a human wait or an AI job in flight), or null. */
export async function storedPending(runId: string): Promise<Pending | null> {
  const row = await runDb(runId)
    .prepare("SELECT pending FROM runs WHERE id = ?")
    .bind(runId)
    .first<{ pending: string | null }>();
  return row?.pending ? (JSON.parse(row.pending) as Pending) : null;
}

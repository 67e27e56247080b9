import { OpenAPIHono } from "@hono/zod-openapi";
import { latestLiveVersion } from "../../db/workflow-store";
import { loadDefinition } from "../../definitions/cache";
import { AppError } from "../../lib/errors";
import { startRun } from "../../runs/start";
import { parseWebhookSecrets } from "../../triggers/webhook-secrets";
import { verifyWebhook } from "../../triggers/webhook-verify";
import type { AppEnv } from "../app-env";
import { statusBody } from "../status-body";
import { validationHook } from "../validation-hook";
import { receiveWebhookRoute } from "./hooks.routes";

/** The principal a webhook's runs are created by; `:` never appears in an API key's name. */
const webhookPrincipal = (workflowId: string) => `webhook:${workflowId}`;

/** The post's JSON body as the run's inputs: an object, or nothing at all. */
function inputsOf(body: string): Record<string, unknown> {
  if (body.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new AppError("bad_request", "Malformed JSON in request body");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("validation_failed", "The body must be a JSON object: it becomes the run's inputs", [
      { path: "inputs", message: "must be a JSON object" },
    ]);
  }
  return value as Record<string, unknown>;
}

/** Whether the workflow's latest version has a `webhook` trigger; a 404 otherwise (unknown, deleted, none). */
async function requireWebhookTrigger(env: Env, workflowId: string): Promise<void> {
  const latest = await latestLiveVersion(env.DB, workflowId);
  const def = latest === null ? null : await loadDefinition(env.DB, workflowId, latest);
  if (!def?.triggers?.some((t) => "webhook" in t)) {
    throw new AppError("not_found", `Workflow '${workflowId}' has no webhook trigger`);
  }
}

/** `POST /hooks/{workflow_id}`: signed posts that start runs (docs/triggers.md). */
export const hookRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

hookRoutes.openapi(receiveWebhookRoute, async (c) => {
  const { workflow_id } = c.req.valid("param");
  const secrets = parseWebhookSecrets(c.env.WEBHOOK_SECRETS).get(workflow_id);
  if (!secrets) throw new AppError("not_found", `Workflow '${workflow_id}' has no webhook configured`);
  // The raw text: the signature covers the bytes as sent, not a re-serialised parse.
  const hook = verifyWebhook(secrets, c.req.raw.headers, await c.req.text());
  const inputs = inputsOf(hook.body);
  await requireWebhookTrigger(c.env, workflow_id);
  const { run, created } = await startRun(
    c.env,
    webhookPrincipal(workflow_id),
    { workflow_id, inputs },
    hook.id,
  );
  c.set("runId", run.record.id);
  c.header("Location", `/v1/executions/${run.record.id}`);
  const status = await statusBody(c.env, run, new URL(c.req.url).origin);
  return created ? c.json(status, 202) : c.json(status, 200);
});

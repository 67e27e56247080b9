import { OpenAPIHono } from "@hono/zod-openapi";
import { listWaits } from "../../db/wait-index";
import { runStub } from "../../durable/address";
import { unwrapRun } from "../../durable/rpc";
import type { RunSnapshot } from "../../durable/snapshot";
import { openHumanWaits } from "../../engine/lanes";
import type { Relink } from "../../engine/wait-links";
import { type WaitItem, waitItem } from "../../engine/wait-view";
import { decodeTimeCursor, timePage } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../app-env";
import { validationHook } from "../validation-hook";
import { listWaitsRoute, reassignWaitRoute, resendWaitRoute } from "./waits.routes";

const iso = (ms: number) => new Date(ms).toISOString();

/** The API form of a wait. */
export const waitBody = (w: WaitItem) => ({
  run_id: w.runId,
  workflow_id: w.workflowId,
  step_id: w.stepId,
  type: w.type,
  wait_id: w.waitId,
  status: w.status,
  recipients: w.recipients,
  created_at: iso(w.createdAt),
  expires_at: iso(w.expiresAt),
  closed_at: w.closedAt === null ? null : iso(w.closedAt),
});

/** The open wait a resend or reassign left, as the API shows it. */
function openWaitBody(snapshot: RunSnapshot, waitId: string) {
  const { record } = snapshot;
  const wait = openHumanWaits(record).find((w) => w.waitId === waitId);
  if (!wait) throw new AppError("conflict", "The run is no longer waiting");
  return waitBody(waitItem(record, wait, null));
}

/**
 * The waits inbox (D1's index, which may lag a run by its index write: docs/scaling.md) and what an
 * operator does with an open wait's links (asked of the run's object).
 */
export const waitRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

waitRoutes.openapi(listWaitsRoute, async (c) => {
  const q = c.req.valid("query");
  const rows = await listWaits(c.env.DB, {
    limit: q.limit,
    status: q.status,
    workflowId: q.workflow_id,
    recipient: q.recipient,
    after: decodeTimeCursor(q.cursor),
  });
  const { page, next_cursor } = timePage(rows, q.limit, (w) => ({ t: w.createdAt, id: w.waitId }));
  return c.json({ items: page.map(waitBody), next_cursor }, 200);
});

const relink = async (env: Env, runId: string, r: Relink) =>
  openWaitBody(unwrapRun(await runStub(env, runId).relink(runId, r)), r.waitId);

waitRoutes.openapi(resendWaitRoute, async (c) => {
  const { run_id, wait_id } = c.req.valid("param");
  const { recipient } = c.req.valid("json");
  const r: Relink = { kind: "resend", waitId: wait_id, recipient, by: c.get("principal") };
  return c.json(await relink(c.env, run_id, r), 200);
});

waitRoutes.openapi(reassignWaitRoute, async (c) => {
  const { run_id, wait_id } = c.req.valid("param");
  const { from, to } = c.req.valid("json");
  const r: Relink = { kind: "reassign", waitId: wait_id, from, to, by: c.get("principal") };
  return c.json(await relink(c.env, run_id, r), 200);
});

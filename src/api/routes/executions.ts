import { OpenAPIHono } from "@hono/zod-openapi";
import { runEvents, runHistory } from "../../db/history";
import { getRun, getRunWithApiToken, listRuns } from "../../db/run-queries";
import { unwrapRun } from "../../durable/rpc";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import { startRun } from "../../runs/start";
import { parseTokenSecrets, verifyResumeToken } from "../../tokens";
import type { AppEnv } from "../app-env";
import { statusBody, summaryBody } from "../status-body";
import { validationHook } from "../validation-hook";
import {
  cancelRunRoute,
  contextRoute,
  eventsRoute,
  getRunRoute,
  historyRoute,
  listRunsRoute,
  resumeRunRoute,
  startRunRoute,
} from "./executions.routes";

const origin = (url: string) => new URL(url).origin;
const stubFor = (env: Env, runId: string) => env.RUNS.get(env.RUNS.idFromName(runId));

/** Run endpoints: start, list, status, resume, cancel, history, context, events. */
export const executionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

executionRoutes.openapi(startRunRoute, async (c) => {
  const body = c.req.valid("json");
  const key = c.req.valid("header")["idempotency-key"];
  const { run, created } = await startRun(c.env, c.get("principal"), body, key);
  c.header("Location", `/v1/executions/${run.record.id}`);
  const status = await statusBody(c.env, run.record, origin(c.req.url), run.apiToken);
  return created ? c.json(status, 202) : c.json(status, 200);
});

executionRoutes.openapi(listRunsRoute, async (c) => {
  const q = c.req.valid("query");
  const after = q.cursor
    ? decodeCursor<{ t: number; id: string }>(q.cursor, { t: "number", id: "string" })
    : undefined;
  const rows = await listRuns(c.env.DB, {
    limit: q.limit,
    workflowId: q.workflow_id,
    status: q.status,
    after,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const next_cursor = rows.length > q.limit && last ? encodeCursor({ t: last.createdAt, id: last.id }) : null;
  return c.json({ items: page.map(summaryBody), next_cursor }, 200);
});

executionRoutes.openapi(getRunRoute, async (c) => {
  const run = await getRunWithApiToken(c.env.DB, c.req.valid("param").run_id);
  return c.json(await statusBody(c.env, run.record, origin(c.req.url), run.apiToken), 200);
});

executionRoutes.openapi(resumeRunRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const { token, data } = c.req.valid("json");
  const claims = await verifyResumeToken(parseTokenSecrets(c.env.RESUME_TOKEN_SECRETS), token);
  if (claims.runId !== run_id) throw new AppError("unauthorized", "This token belongs to another run");
  const run = unwrapRun(
    await stubFor(c.env, run_id).resume({ runId: run_id, claims, data, principal: c.get("principal") }),
  );
  return c.json(await statusBody(c.env, run.record, origin(c.req.url), run.apiToken), 200);
});

executionRoutes.openapi(cancelRunRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const run = unwrapRun(await stubFor(c.env, run_id).cancel(run_id, c.get("principal")));
  return c.json(await statusBody(c.env, run.record, origin(c.req.url), run.apiToken), 200);
});

executionRoutes.openapi(historyRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  await getRun(c.env.DB, run_id);
  return c.json(await runHistory(c.env.DB, run_id), 200);
});

executionRoutes.openapi(contextRoute, async (c) => {
  const run = await getRun(c.env.DB, c.req.valid("param").run_id);
  return c.json(run.context, 200);
});

executionRoutes.openapi(eventsRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  await getRun(c.env.DB, run_id);
  const after = cursor ? decodeCursor<{ e: number }>(cursor, { e: "number" }).e : 0;
  const page = await runEvents(c.env.DB, run_id, limit, after);
  const next_cursor = page.hasMore && page.lastId !== undefined ? encodeCursor({ e: page.lastId }) : null;
  return c.json({ run_id, items: page.items, next_cursor }, 200);
});

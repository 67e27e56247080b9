import { OpenAPIHono } from "@hono/zod-openapi";
import { listRuns } from "../../db/run-index";
import { runStub } from "../../durable/address";
import { type RpcResult, unwrap, unwrapRun } from "../../durable/rpc";
import { decodeCursor, decodeTimeCursor, encodeCursor, timePage } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import type { runEvents, runHistory } from "../../run-db/history";
import { startRun } from "../../runs/start";
import { currentTraceparent } from "../../telemetry";
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

// What the run's object answers: its RPC types are lost across the stub (as in unwrapRun).
type History = ReturnType<typeof runHistory>;
type EventsPage = ReturnType<typeof runEvents>;

/**
 * Run endpoints: start, list, status, resume, cancel, history, context, events. A run's own record is
 * answered by its object; only the list reads D1's index (which may lag: docs/scaling.md).
 */
export const executionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

executionRoutes.openapi(startRunRoute, async (c) => {
  const body = c.req.valid("json");
  const key = c.req.valid("header")["idempotency-key"];
  const { run, created } = await startRun(c.env, c.get("principal"), body, key);
  c.set("runId", run.record.id);
  c.header("Location", `/v1/executions/${run.record.id}`);
  const status = await statusBody(c.env, run, origin(c.req.url));
  return created ? c.json(status, 202) : c.json(status, 200);
});

executionRoutes.openapi(listRunsRoute, async (c) => {
  const q = c.req.valid("query");
  const rows = await listRuns(c.env.DB, {
    limit: q.limit,
    workflowId: q.workflow_id,
    status: q.status,
    after: decodeTimeCursor(q.cursor),
  });
  const { page, next_cursor } = timePage(rows, q.limit, (r) => ({ t: r.createdAt, id: r.id }));
  return c.json({ items: page.map(summaryBody), next_cursor }, 200);
});

executionRoutes.openapi(getRunRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const run = unwrapRun(await runStub(c.env, run_id).status(run_id));
  return c.json(await statusBody(c.env, run, origin(c.req.url)), 200);
});

executionRoutes.openapi(resumeRunRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const { token, data } = c.req.valid("json");
  c.set("runId", run_id);
  const claims = await verifyResumeToken(parseTokenSecrets(c.env.RESUME_TOKEN_SECRETS), token);
  if (claims.runId !== run_id) throw new AppError("unauthorized", "This token belongs to another run");
  const run = unwrapRun(
    await runStub(c.env, run_id).resume({
      ...{ runId: run_id, claims, data, principal: c.get("principal") },
      trace: currentTraceparent(),
    }),
  );
  return c.json(await statusBody(c.env, run, origin(c.req.url)), 200);
});

executionRoutes.openapi(cancelRunRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const run = unwrapRun(
    await runStub(c.env, run_id).cancel(run_id, c.get("principal"), currentTraceparent()),
  );
  return c.json(await statusBody(c.env, run, origin(c.req.url)), 200);
});

executionRoutes.openapi(historyRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const history = (await runStub(c.env, run_id).history(run_id)) as unknown as RpcResult<History>;
  return c.json(unwrap(history), 200);
});

executionRoutes.openapi(contextRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  return c.json(unwrapRun(await runStub(c.env, run_id).status(run_id)).record.context, 200);
});

executionRoutes.openapi(eventsRoute, async (c) => {
  const { run_id } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  const after = cursor ? decodeCursor<{ e: number }>(cursor, { e: "number" }).e : 0;
  const events = (await runStub(c.env, run_id).events(
    run_id,
    limit,
    after,
  )) as unknown as RpcResult<EventsPage>;
  const page = unwrap(events);
  const next_cursor = page.hasMore && page.lastId !== undefined ? encodeCursor({ e: page.lastId }) : null;
  return c.json({ run_id, items: page.items, next_cursor }, 200);
});

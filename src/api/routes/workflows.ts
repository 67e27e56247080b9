import { OpenAPIHono } from "@hono/zod-openapi";
import type { WorkflowRow, WorkflowVersionRow } from "../../db/schema";
import {
  addVersion,
  createWorkflow,
  getVersion,
  listWorkflows,
  softDeleteWorkflow,
} from "../../db/workflow-store";
import { forgetLatestVersion } from "../../definitions/latest-version";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../app-env";
import { readDefinition } from "../definition-body";
import { refuseSubWorkflowCycles } from "../sub-workflow-check";
import { validationHook } from "../validation-hook";
import {
  createWorkflowRoute,
  deleteWorkflowRoute,
  getWorkflowRoute,
  listWorkflowsRoute,
  putWorkflowRoute,
  validateWorkflowRoute,
} from "./workflows.routes";

const iso = (ms: number) => new Date(ms).toISOString();

function summary(w: WorkflowRow, v: WorkflowVersionRow) {
  const def = JSON.parse(v.definition) as { steps?: unknown[] };
  return {
    id: w.id,
    name: v.name,
    description: v.description,
    version: v.version,
    latest_version: w.latestVersion,
    step_count: Array.isArray(def.steps) ? def.steps.length : 0,
    created_by: v.createdBy,
    created_at: iso(v.createdAt),
    updated_at: iso(w.updatedAt),
  };
}

/** Workflow definition endpoints: create, list, get, new version, delete, validate. */
export const workflowRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

workflowRoutes.openapi(createWorkflowRoute, async (c) => {
  const submitted = await readDefinition(c, c.req.valid("json"));
  const db = c.env.DB;
  await refuseSubWorkflowCycles(db, submitted.definition);
  const version = await createWorkflow(db, { ...submitted, principal: c.get("principal"), now: Date.now() });
  forgetLatestVersion(submitted.definition.id);
  const saved = await getVersion(db, submitted.definition.id, version);
  c.header("Location", `/v1/workflows/${submitted.definition.id}`);
  return c.json(summary(saved.workflow, saved.version), 201);
});

workflowRoutes.openapi(listWorkflowsRoute, async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const after = cursor ? decodeCursor<{ id: string }>(cursor, { id: "string" }).id : undefined;
  const db = c.env.DB;
  const rows = await listWorkflows(db, limit, after);
  const page = rows.slice(0, limit);
  const items = page.map((r) => summary(r.workflow, r.version));
  const last = page[page.length - 1];
  const next_cursor = rows.length > limit && last ? encodeCursor({ id: last.workflow.id }) : null;
  return c.json({ items, next_cursor }, 200);
});

workflowRoutes.openapi(validateWorkflowRoute, async (c) => {
  const { definition } = await readDefinition(c, c.req.valid("json"));
  await refuseSubWorkflowCycles(c.env.DB, definition);
  return c.json({ valid: true as const, id: definition.id, step_count: definition.steps.length }, 200);
});

workflowRoutes.openapi(getWorkflowRoute, async (c) => {
  const { id } = c.req.valid("param");
  const { version } = c.req.valid("query");
  const found = await getVersion(c.env.DB, id, version);
  return c.json(
    {
      ...summary(found.workflow, found.version),
      source_format: found.version.sourceFormat,
      source: found.version.source,
      definition: JSON.parse(found.version.definition) as Record<string, unknown>,
    },
    200,
  );
});

workflowRoutes.openapi(putWorkflowRoute, async (c) => {
  const { id } = c.req.valid("param");
  const submitted = await readDefinition(c, c.req.valid("json"));
  if (submitted.definition.id !== id) {
    throw new AppError("validation_failed", "The definition's id does not match the URL", [
      { path: "id", message: `expected '${id}', got '${submitted.definition.id}'` },
    ]);
  }
  const db = c.env.DB;
  await refuseSubWorkflowCycles(db, submitted.definition);
  const version = await addVersion(db, id, { ...submitted, principal: c.get("principal"), now: Date.now() });
  forgetLatestVersion(id);
  const saved = await getVersion(db, id, version);
  return c.json(summary(saved.workflow, saved.version), 201);
});

workflowRoutes.openapi(deleteWorkflowRoute, async (c) => {
  const { id } = c.req.valid("param");
  await softDeleteWorkflow(c.env.DB, id, Date.now());
  forgetLatestVersion(id);
  return c.body(null, 204);
});

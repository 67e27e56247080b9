import { and, asc, desc, eq, gt, isNull } from "drizzle-orm";
import type { Definition } from "../definitions/types";
import { AppError } from "../lib/errors";
import { getDb } from "./client";
import { scheduleDeletes, scheduleWrites } from "./schedules";
import { type WorkflowRow, type WorkflowVersionRow, workflows, workflowVersions } from "./schema";

export interface NewVersion {
  definition: Definition;
  raw: unknown;
  source: string;
  sourceFormat: "yaml" | "json";
  principal: string;
  now: number;
}

const isUniqueViolation = (e: unknown): boolean =>
  e instanceof Error &&
  /UNIQUE constraint failed|SQLITE_CONSTRAINT/i.test(`${e.message} ${String(e.cause ?? "")}`);

function versionValues(workflowId: string, version: number, v: NewVersion) {
  return {
    workflowId,
    version,
    name: v.definition.name,
    description: v.definition.description ?? null,
    sourceFormat: v.sourceFormat,
    source: v.source,
    definition: JSON.stringify(v.raw),
    createdBy: v.principal,
    createdAt: v.now,
  };
}

/** Saves a new workflow at version 1, or revives a deleted one at its next version. 409 if it exists. */
export async function createWorkflow(d1: D1Database, v: NewVersion): Promise<number> {
  const db = getDb(d1);
  const id = v.definition.id;
  const existing = await db.select().from(workflows).where(eq(workflows.id, id)).get();
  if (existing && existing.deletedAt === null) {
    throw new AppError(
      "conflict",
      `Workflow '${id}' already exists; use PUT /v1/workflows/${id} for a new version`,
    );
  }
  const version = existing ? existing.latestVersion + 1 : 1;
  try {
    if (existing) {
      await db.batch([
        db.insert(workflowVersions).values(versionValues(id, version, v)),
        db
          .update(workflows)
          .set({ latestVersion: version, name: v.definition.name, updatedAt: v.now, deletedAt: null })
          .where(and(eq(workflows.id, id), eq(workflows.latestVersion, existing.latestVersion))),
        ...scheduleWrites(db, id, version, v.definition.triggers, v.now),
      ]);
    } else {
      await db.batch([
        db.insert(workflows).values({
          id,
          latestVersion: 1,
          name: v.definition.name,
          createdBy: v.principal,
          createdAt: v.now,
          updatedAt: v.now,
        }),
        db.insert(workflowVersions).values(versionValues(id, 1, v)),
        ...scheduleWrites(db, id, 1, v.definition.triggers, v.now),
      ]);
    }
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", `Workflow '${id}' already exists`);
    throw e;
  }
  return version;
}

/** Appends a version to a live workflow; a concurrent writer that got there first makes this a 409. */
export async function addVersion(d1: D1Database, id: string, v: NewVersion): Promise<number> {
  const db = getDb(d1);
  const existing = await getLiveWorkflow(d1, id);
  const version = existing.latestVersion + 1;
  try {
    await db.batch([
      db.insert(workflowVersions).values(versionValues(id, version, v)),
      db
        .update(workflows)
        .set({ latestVersion: version, name: v.definition.name, updatedAt: v.now })
        .where(and(eq(workflows.id, id), eq(workflows.latestVersion, existing.latestVersion))),
      ...scheduleWrites(db, id, version, v.definition.triggers, v.now),
    ]);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict", `Workflow '${id}' was changed concurrently; retry`);
    throw e;
  }
  return version;
}

/** The workflow row if it exists and is not deleted; otherwise a 404. */
export async function getLiveWorkflow(d1: D1Database, id: string): Promise<WorkflowRow> {
  const db = getDb(d1);
  const row = await db
    .select()
    .from(workflows)
    .where(and(eq(workflows.id, id), isNull(workflows.deletedAt)))
    .get();
  if (!row) throw new AppError("not_found", `Workflow '${id}' not found`);
  return row;
}

/** One stored version (latest when omitted), with its workflow row. */
export async function getVersion(
  d1: D1Database,
  id: string,
  version?: number,
): Promise<{ workflow: WorkflowRow; version: WorkflowVersionRow }> {
  const db = getDb(d1);
  const workflow = await getLiveWorkflow(d1, id);
  const wanted = version ?? workflow.latestVersion;
  const row = await db
    .select()
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, id), eq(workflowVersions.version, wanted)))
    .get();
  if (!row) throw new AppError("not_found", `Workflow '${id}' has no version ${wanted}`);
  return { workflow, version: row };
}

/** Live workflows ordered by id with their latest version, after `afterId` when paginating: one query. */
export async function listWorkflows(
  d1: D1Database,
  limit: number,
  afterId?: string,
): Promise<{ workflow: WorkflowRow; version: WorkflowVersionRow }[]> {
  return getDb(d1)
    .select({ workflow: workflows, version: workflowVersions })
    .from(workflows)
    .innerJoin(
      workflowVersions,
      and(
        eq(workflowVersions.workflowId, workflows.id),
        eq(workflowVersions.version, workflows.latestVersion),
      ),
    )
    .where(and(isNull(workflows.deletedAt), afterId ? gt(workflows.id, afterId) : undefined))
    .orderBy(asc(workflows.id))
    .limit(limit + 1)
    .all();
}

/** Soft delete: the workflow disappears from lists and cannot start runs; existing runs continue. */
export async function softDeleteWorkflow(d1: D1Database, id: string, now: number): Promise<void> {
  const db = getDb(d1);
  await getLiveWorkflow(d1, id);
  await db.batch([
    db
      .update(workflows)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(workflows.id, id), isNull(workflows.deletedAt))),
    scheduleDeletes(db, id),
  ]);
}

/** The latest version number of a live workflow, or null when there is none (unknown or deleted). */
export async function latestLiveVersion(d1: D1Database, id: string): Promise<number | null> {
  const db = getDb(d1);
  const row = await db
    .select({ latest: workflows.latestVersion })
    .from(workflows)
    .where(and(eq(workflows.id, id), isNull(workflows.deletedAt)))
    .get();
  return row?.latest ?? null;
}

/** A version's stored definition JSON regardless of deletion (runs pinned to it keep working), or null. */
export async function storedDefinition(d1: D1Database, id: string, version: number): Promise<string | null> {
  const db = getDb(d1);
  const row = await db
    .select({ definition: workflowVersions.definition })
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, id), eq(workflowVersions.version, version)))
    .get();
  return row?.definition ?? null;
}

/** A workflow's versions, newest first: number, name, who saved it and when (not the sources). */
export async function listVersions(
  d1: D1Database,
  id: string,
): Promise<Array<{ version: number; name: string; createdBy: string; createdAt: number }>> {
  return getDb(d1)
    .select({
      version: workflowVersions.version,
      name: workflowVersions.name,
      createdBy: workflowVersions.createdBy,
      createdAt: workflowVersions.createdAt,
    })
    .from(workflowVersions)
    .where(eq(workflowVersions.workflowId, id))
    .orderBy(desc(workflowVersions.version))
    .all();
}

import { z } from "@hono/zod-openapi";
import { listWaits } from "../db/wait-index";
import { runStub } from "../durable/address";
import { unwrapRun } from "../durable/rpc";
import type { Relink } from "../engine/wait-links";
import type { WaitItem } from "../engine/wait-view";
import { AppError } from "../lib/errors";

/** How many open waits the inbox shows, oldest first. */
export const WAITS_LIMIT = 100;

export type OpenWait = WaitItem;

/** The open waits from D1's waits index (which may lag a run by its index write), oldest first. */
export async function openWaits(env: Env): Promise<OpenWait[]> {
  const rows = await listWaits(env.DB, { limit: WAITS_LIMIT, status: "open" });
  return rows.slice(0, WAITS_LIMIT).sort((a, b) => a.createdAt - b.createdAt);
}

const EMAIL = z.email().max(254);

/** An address from a form field, or a 400 naming the field. */
export function emailField(value: unknown, field: string): string {
  const parsed = EMAIL.safeParse(typeof value === "string" ? value.trim() : value);
  if (!parsed.success) {
    throw new AppError("bad_request", `'${field}' must be an email address`, [
      { path: field, message: "not an email address" },
    ]);
  }
  return parsed.data;
}

/** Resends or reassigns an open wait's links through the run's object (as the waits API does). */
export async function relink(env: Env, runId: string, r: Relink): Promise<void> {
  unwrapRun(await runStub(env, runId).relink(runId, r));
}

import { latestLiveVersion } from "../db/workflow-store";

/**
 * How long an isolate trusts the latest version number it read. A start that names no version is the
 * only reader: within this window it costs no D1 round trip. The isolate that saves or deletes a
 * workflow forgets its entry at once; other isolates see the change within the window
 * (docs/api.md: a start that must use a version just saved names it).
 */
export const LATEST_VERSION_TTL_MS = 1_000;
const MAX_ENTRIES = 1_000;

const cache = new Map<string, { version: number; readAt: number }>();

/** The workflow's latest live version (null when it does not exist or was deleted; never cached). */
export async function latestVersion(
  db: D1Database,
  workflowId: string,
  now: number = Date.now(),
): Promise<number | null> {
  const hit = cache.get(workflowId);
  if (hit && now - hit.readAt < LATEST_VERSION_TTL_MS && now >= hit.readAt) return hit.version;
  const version = await latestLiveVersion(db, workflowId);
  if (version === null) {
    cache.delete(workflowId);
    return null;
  }
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(workflowId, { version, readAt: now });
  return version;
}

/** Called after this isolate saved a version of the workflow or deleted it. */
export function forgetLatestVersion(workflowId: string): void {
  cache.delete(workflowId);
}

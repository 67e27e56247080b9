import { storedDefinition } from "../db/workflow-store";
import { validateDefinitionObject } from "./parse";
import type { Definition } from "./types";

// Versions are immutable, so a parsed (and CEL-compiled) definition can live for the isolate's lifetime.
const cache = new Map<string, Definition>();
const MAX_ENTRIES = 500;

/** The typed definition of a pinned workflow version, parsed once per isolate. */
export async function loadDefinition(
  db: D1Database,
  workflowId: string,
  version: number,
): Promise<Definition | null> {
  const key = `${workflowId}@${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const stored = await storedDefinition(db, workflowId, version);
  if (stored === null) return null;
  const parsed = validateDefinitionObject(JSON.parse(stored));
  if (!parsed.ok)
    throw new Error(`stored definition ${key} no longer validates: ${parsed.issues[0]?.message}`);
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(key, parsed.definition);
  return parsed.definition;
}

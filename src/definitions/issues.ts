/** Definition problems while they are being collected: a path as segments, formatted at the end. */
import type { z } from "zod";
import type { PathSegment } from "../lib/json-pointer";
import { STEP_TYPES } from "./schema-steps";
import type { DefinitionIssue } from "./types";

export type { PathSegment };

export interface RawIssue {
  path: PathSegment[];
  message: string;
  /** Locate the key of the last segment rather than its value (unknown keys). */
  atKey?: boolean;
}

/** Collects issues for one definition. */
export class IssueList {
  readonly items: RawIssue[] = [];

  add(path: PathSegment[], message: string, atKey = false): void {
    this.items.push({ path, message, ...(atKey ? { atKey } : {}) });
  }
}

/** A definition with more problems than this is reported in part; the first ones are enough to act. */
export const MAX_ISSUES = 200;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `["steps", 2, "next"]` → `steps[2].next`; odd keys are quoted: `headers["X-Api Key"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Converts zod issues to definition issues with friendlier messages. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, list: IssueList): void {
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) list.add([...path, key], `unknown key "${key}"`, true);
      continue;
    }
    if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator === "type") {
      const given = valueAt(raw, path);
      const shown = given === undefined ? "missing" : JSON.stringify(given);
      list.add(path, `step type is ${shown}; use one of ${STEP_TYPES.join(", ")}`);
      continue;
    }
    if (issue.code === "invalid_key") {
      list.add(path, issue.issues[0]?.message ?? issue.message, true);
      continue;
    }
    if (issue.code === "invalid_type" && valueAt(raw, path) === undefined) {
      list.add(path, "is required");
      continue;
    }
    list.add(path, issue.message);
  }
}

/** Reads a value of the raw (unvalidated) definition by path; undefined when absent. */
export function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let node: unknown = raw;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    if (!Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<PathSegment, unknown>)[segment];
  }
  return node;
}

/** Formats collected issues; `locate` adds line/column for sources that have them. */
export function finishIssues(
  list: IssueList,
  locate?: (issue: RawIssue) => { line: number; column: number } | undefined,
): DefinitionIssue[] {
  const seen = new Set<string>();
  const out: DefinitionIssue[] = [];
  for (const issue of list.items) {
    const path = formatPath(issue.path);
    const key = `${path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length >= MAX_ISSUES) break;
    const at = locate?.(issue);
    out.push({ path, message: issue.message, ...(at ? { line: at.line, column: at.column } : {}) });
  }
  // In source order, as an editor would list them; issues without a position (root) come first.
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

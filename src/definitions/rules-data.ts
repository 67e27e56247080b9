/** The definition must be plain JSON data: it is stored as JSON and its context is read by CEL. */
import type { IssueList, PathSegment } from "./issues";

/** Deeper nesting is refused: nothing real needs it, and every later consumer recurses. */
export const MAX_DEFINITION_DEPTH = 48;

/** Reports numbers JSON cannot hold (YAML `.inf`, `.nan`) and data nested too deeply. */
export function checkJsonData(raw: unknown, issues: IssueList): void {
  walk(raw, [], issues);
}

function walk(value: unknown, path: PathSegment[], issues: IssueList): void {
  if (typeof value === "number" && !Number.isFinite(value)) {
    issues.add(path, "must be a finite number (.inf and .nan are not JSON)");
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (path.length >= MAX_DEFINITION_DEPTH) {
    issues.add(path, `is nested too deeply (at most ${MAX_DEFINITION_DEPTH} levels)`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, [...path, i], issues);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) walk(item, [...path, key], issues);
}

/**
 * Approval rules: the `show` paths an approval page displays. (The reviewed AI output, `review`,
 * gets its rules here too.)
 */
import { parseContextPath } from "./context-path";
import type { IssueList } from "./issues";
import { asObject, own, rawSteps } from "./raw";

/** Checks every approval step's `show`: well-formed paths into runtime, profile or static, once each. */
export function checkApprovals(raw: unknown, issues: IssueList): void {
  const context = asObject(own(asObject(raw), "context")) ?? {};
  for (const { index, step, type } of rawSteps(raw)) {
    if (type !== "approval") continue;
    const show = own(step, "show");
    // A show that is not a list of strings is reported by the shape check.
    if (!Array.isArray(show)) continue;
    const seen = new Map<string, number>();
    show.forEach((path, i) => {
      if (typeof path !== "string") return;
      const at = ["steps", index, "show", i];
      const parsed = parseContextPath(path);
      if (!parsed.ok) {
        issues.add(at, `"${path}" ${parsed.message}`);
        return;
      }
      const first = seen.get(path);
      if (first !== undefined) issues.add(at, `"${path}" is listed twice (also show[${first}])`);
      else seen.set(path, i);
      // The static context is known now: a key it does not define is a typo.
      const [key = ""] = parsed.keys;
      if (parsed.root === "static" && !Object.hasOwn(context, key)) {
        issues.add(at, `"${path}": the definition's context defines no key "${key}"`);
      }
    });
  }
}

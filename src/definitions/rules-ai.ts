/**
 * AI provider rules: a step's `fallback:` names other targets than the step itself. A fallback that
 * repeats the primary (or an earlier fallback) would only spend another retry budget on the provider
 * that just gave up.
 */
import type { IssueList, PathSegment } from "./issues";
import { asObject, own, ownString, rawSteps } from "./raw";

/** Checks every ai_generate step's `fallback:` (an object or a list of them) for repeated targets. */
export function checkAiFallbacks(raw: unknown, issues: IssueList): void {
  for (const { index, step, type } of rawSteps(raw)) {
    if (type !== "ai_generate") continue;
    const fallback = own(step, "fallback");
    const list: unknown[] = Array.isArray(fallback) ? fallback : fallback === undefined ? [] : [fallback];
    const path = (i: number): PathSegment[] =>
      Array.isArray(fallback) ? ["steps", index, "fallback", i] : ["steps", index, "fallback"];
    // The primary's provider may come from AI_PROVIDER, unknown here: only a literal one is compared.
    const seen = new Map<string, string>();
    const primary = ownString(step, "provider");
    if (primary) seen.set(key(primary, ownString(step, "model")), "the step's own provider and model");
    list.forEach((entry, i) => {
      const item = asObject(entry);
      const provider = ownString(item, "provider");
      // Shape problems (a missing or unknown provider) are reported by the shape check.
      if (!provider) return;
      const k = key(provider, ownString(item, "model"));
      const earlier = seen.get(k);
      if (earlier) issues.add(path(i), `repeats ${earlier}; a fallback must name another provider or model`);
      else seen.set(k, `fallback ${i + 1}`);
    });
  }
}

const key = (provider: string, model: string | undefined): string => `${provider}\u0000${model ?? ""}`;

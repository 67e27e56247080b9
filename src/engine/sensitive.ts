import type { Definition } from "../definitions/types";
import type { RunContext } from "./state";

/**
 * The answers to form fields marked `sensitive: true` that the run's context holds (at the form's
 * `output`, or merged into runtime without one), as text: what events and logs must not show.
 */
export function sensitiveValues(def: Definition, context: RunContext): string[] {
  const values = new Set<string>();
  for (const step of def.steps) {
    if (step.type !== "form") continue;
    const at = step.output ? context.runtime[step.output] : context.runtime;
    if (!at || typeof at !== "object") continue;
    for (const field of step.fields) {
      if (!field.sensitive) continue;
      const v = (at as Record<string, unknown>)[field.name];
      if (typeof v === "string" || typeof v === "number") values.add(String(v));
    }
  }
  return [...values];
}

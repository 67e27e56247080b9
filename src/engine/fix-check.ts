import type { AiGenerateStep } from "../definitions/types";
import type { ErrorDetail } from "../lib/errors";
import { compileSchema } from "../lib/json-schema";
import type { WaitResolution } from "./outcomes";
import { outputDetails } from "./review-check";

const FIX_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["output"],
  properties: { output: true },
};

/** Checks a fix of an AI step's invalid output: `{output}`, valid against the step's schema. */
export function checkFixData(
  step: AiGenerateStep,
  data: object,
  fixer: string,
): { ok: true; resolution: WaitResolution } | { ok: false; details: ErrorDetail[] } {
  if (!compileSchema(FIX_SCHEMA)(data).valid) {
    return {
      ok: false,
      details: [{ path: "output", message: "send the fixed object as data.output (and nothing else)" }],
    };
  }
  const { output } = data as { output: unknown };
  const result = compileSchema(step.schema)(output);
  if (!result.valid) return { ok: false, details: outputDetails(result.errors) };
  return { ok: true, resolution: { kind: "fixed", output, fixer } };
}

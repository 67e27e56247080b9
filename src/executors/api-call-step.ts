import type { ApiCallStep } from "../definitions/types";
import type { StepOutcome } from "../engine/outcomes";
import { executeApiCall } from "./api-call";
import { type ExecutorContext, viewOf } from "./types";

/** The api_call step as an executor: the HTTP work is in api-call.ts; this maps it to an outcome. */
export async function executeApiCallStep(step: ApiCallStep, ctx: ExecutorContext): Promise<StepOutcome> {
  const result = await executeApiCall(step, viewOf(ctx.run), {
    secrets: ctx.secrets,
    allowedHosts: ctx.secretHosts,
    fetch: ctx.fetch,
  });
  const meta = { attempts: result.attempts, duration_ms: result.duration_ms };
  if (result.status === "completed") {
    return { kind: "completed", output: result.output, input: result.request, meta };
  }
  const { code, message, ...rest } = result.error;
  return { kind: "failed", error: { code, message, details: [rest] }, input: result.request, meta };
}

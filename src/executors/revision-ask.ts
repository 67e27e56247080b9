import type { AiGenerateStep } from "../definitions/types";
import type { ExecutorContext } from "./types";

/**
 * What a reviewer's send-back appends to the step's prompt: the previous output and the comment.
 * Empty unless the run came back to this step from `changes_requested`.
 */
export function revisionAsk(step: AiGenerateStep, ctx: ExecutorContext): string {
  const request = ctx.run.reviews?.request;
  if (request?.aiStep !== step.id) return "";
  return [
    "",
    "",
    "A reviewer sent your previous output back.",
    "Your previous output:",
    JSON.stringify(request.previous, null, 2),
    "",
    "The reviewer's comment:",
    request.comment,
    "",
    "Write a revised output that addresses the comment.",
  ].join("\n");
}

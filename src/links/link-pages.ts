import { htmlResponse, renderConfirmationPage, renderErrorPage } from "../html";
import type { ResumeClaims } from "../tokens";
import type { LinkState } from "./link-state";
import { approvalsOfRun, ownApprovalOutput } from "./own-decision";
import { ownRecordedValues, progressText } from "./page-views";

/** An error page as a Response with the page headers. */
export function errorPage(status: number, title: string, message: string): Response {
  return htmlResponse(renderErrorPage({ title, message }), status);
}

const CLOSED_MESSAGES = {
  someone: "Someone else already responded to this request.",
  timeout: "Nobody answered in time, so the workflow decided on its own.",
};

/**
 * The page for a link that cannot take a submission any more (every state but `open`):
 * - used: what this link recorded; 200 right after the person's own submit (`justSubmitted`), else 409;
 * - cancelled: 410, the run is gone for good;
 * - closed: 409, saying that someone else (or a timeout) answered, never what they answered.
 */
export function settledPage(
  state: Exclude<LinkState, { kind: "open" }>,
  claims: ResumeClaims,
  justSubmitted: boolean,
): Response {
  const workflowName = state.def.name;
  if (state.kind === "cancelled") {
    return errorPage(
      410,
      "This request was cancelled",
      `The workflow "${workflowName}" was cancelled, so nothing more is needed from you.`,
    );
  }
  if (state.kind === "used") {
    const output =
      state.step.type === "approval"
        ? ownApprovalOutput(state.run, claims.waitId, state.recorded, claims.recipient)
        : state.recorded?.output;
    const recorded = ownRecordedValues(state.step, output, claims.recipient);
    const approvals = approvalsOfRun(state.run);
    const progress = approvals ? ` ${progressText(approvals)}` : "";
    const page = renderConfirmationPage(
      justSubmitted
        ? { title: "Thank you", message: `Your response was recorded.${progress}`, workflowName, recorded }
        : {
            title: "Already recorded",
            message: `A response was already submitted with this link; it cannot be changed here.${progress}`,
            workflowName,
            recorded,
          },
    );
    return htmlResponse(page, justSubmitted ? 200 : 409);
  }
  if (state.replaced) {
    return errorPage(
      410,
      "This link was replaced",
      `A newer link for this request was sent, or the request was handed to someone else. Use the most recent email about "${workflowName}".`,
    );
  }
  const title = "This request is no longer open";
  if (state.answered) {
    return htmlResponse(
      renderConfirmationPage({ title, message: CLOSED_MESSAGES[state.answered], workflowName }),
      409,
    );
  }
  const ended = ["completed", "rejected", "failed"].includes(state.run.status);
  return errorPage(
    409,
    title,
    ended
      ? `The workflow "${workflowName}" has finished, so nothing more is needed from you.`
      : `The workflow "${workflowName}" has moved on, so this link is no longer needed.`,
  );
}

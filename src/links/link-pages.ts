import { htmlResponse, renderConfirmationPage, renderErrorPage } from "../html";
import type { LinkState } from "./link-state";
import { recordedValues } from "./page-views";

/** An error page as a Response with the page headers. */
export function errorPage(status: number, title: string, message: string): Response {
  return htmlResponse(renderErrorPage({ title, message }), status);
}

/**
 * The page for a link that cannot take a submission any more (every state but `open`):
 * - used: what this link recorded; 200 right after the person's own submit (`justSubmitted`), else 409;
 * - cancelled: 410, the run is gone for good;
 * - closed: 409, with what was recorded when someone else (or a timeout) answered the request.
 */
export function settledPage(state: Exclude<LinkState, { kind: "open" }>, justSubmitted: boolean): Response {
  const workflowName = state.def.name;
  if (state.kind === "cancelled") {
    return errorPage(
      410,
      "This request was cancelled",
      `The workflow "${workflowName}" was cancelled, so nothing more is needed from you.`,
    );
  }
  const recorded = state.recorded ? recordedValues(state.step, state.recorded.output) : [];
  if (state.kind === "used") {
    const page = renderConfirmationPage(
      justSubmitted
        ? { title: "Thank you", message: "Your response was recorded.", workflowName, recorded }
        : {
            title: "Already recorded",
            message: "A response was already submitted with this link; it cannot be changed here.",
            workflowName,
            recorded,
          },
    );
    return htmlResponse(page, justSubmitted ? 200 : 409);
  }
  if (recorded.length > 0) {
    const timedOut = (state.recorded?.output as { timed_out?: unknown } | undefined)?.timed_out === true;
    return htmlResponse(
      renderConfirmationPage({
        title: "This request is no longer open",
        message: timedOut
          ? "Nobody answered in time, so the workflow decided on its own."
          : "Someone already responded to this request.",
        workflowName,
        recorded,
      }),
      409,
    );
  }
  const ended = ["completed", "rejected", "failed"].includes(state.run.status);
  return errorPage(
    409,
    "This request is no longer open",
    ended
      ? `The workflow "${workflowName}" has finished, so nothing more is needed from you.`
      : `The workflow "${workflowName}" has moved on, so this link is no longer needed.`,
  );
}

import type { Context } from "hono";
import type { AppEnv } from "../api/app-env";
import { unwrap } from "../durable/rpc";
import { htmlResponse } from "../html";
import { AppError } from "../lib/errors";
import { currentTraceparent } from "../telemetry";
import { fieldMessages, postedValues } from "./field-messages";
import { readApprovalSubmission, readFormSubmission } from "./form-values";
import { errorPage, settledPage } from "./link-pages";
import { readLinkState } from "./link-state";
import { approvalPage, fixPage, formPage, linkPath, type OpenLink, verifyLink } from "./open-link";
import { commentOf, keptEdits, readFixAnswer, readReviewAnswer, splitDetails } from "./review-answer";
import { isAllowedSubmission } from "./same-origin";
import { postedStrings } from "./schema-values";

type Ctx = Context<AppEnv, "/:token">;

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/** The posted form, or null when the body is not a form or cannot be parsed. */
async function readPostedForm(c: Ctx): Promise<FormData | null> {
  if (!FORM_TYPES.test(c.req.header("content-type") ?? "")) return null;
  try {
    return await c.req.formData();
  } catch (e) {
    // The body limit reports itself; the links' onError answers 413 with a page.
    if (e instanceof AppError && e.code === "payload_too_large") throw e;
    return null;
  }
}

/** The resume data a posted page carries, or the page saying what is wrong with it (422). */
function readAnswer(link: OpenLink, form: FormData): { data: unknown } | Response {
  const { step } = link;
  if (step.type === "form") return { data: readFormSubmission(step.fields, form) };
  if (step.type === "ai_generate") return readFixAnswer({ ...link, step }, form);
  const wait = link.run.pending?.kind === "human" ? link.run.pending : undefined;
  if (wait?.review) return readReviewAnswer({ ...link, step }, wait.review, form);
  const read = readApprovalSubmission(form);
  if (!read.ok) return approvalPage({ ...link, step }, 422, { error: read.error, comment: commentOf(form) });
  return { data: read.data };
}

/** The page for a resume the run's object refused; errors no page explains go to the links' onError. */
async function refusedPage(c: Ctx, link: OpenLink, form: FormData, e: AppError): Promise<Response> {
  const { step } = link;
  if (e.code === "validation_failed") {
    if (step.type === "form") {
      const values = postedValues(step.fields, form);
      const errors = fieldMessages(step.fields, e.details ?? []);
      return formPage({ ...link, step }, 422, { values, errors });
    }
    const { fieldErrors, rest } = splitDetails(e.details ?? []);
    const posted = postedStrings(form);
    if (step.type === "ai_generate") return fixPage({ ...link, step }, 422, { posted, fieldErrors });
    const error =
      rest[0] ??
      (Object.keys(fieldErrors).length > 0 ? "Please correct the fields marked below." : e.message);
    return approvalPage({ ...link, step }, 422, {
      error,
      comment: commentOf(form),
      ...keptEdits(link, form),
      fieldErrors,
    });
  }
  if (e.code === "conflict") {
    // Used meanwhile (a double click), cancelled, or answered by someone else: show where it stands.
    const now = await readLinkState(c.env, link.claims);
    if (now.kind !== "open") return settledPage(now, link.claims, false);
    // Still open: the review refused this decision as it stands (a stale page, no send-backs left).
    // The page again, as it is now, says why.
    if (now.step.type === "approval" && now.step.review) {
      return approvalPage({ ...link, ...now, step: now.step }, 409, {
        error: e.message,
        comment: commentOf(form),
      });
    }
    return errorPage(
      409,
      "Please try again",
      "The request changed while you were answering. Submit it again.",
    );
  }
  throw e;
}

/** Hands the answer to the run's object, which uses the token up exactly once. */
async function resume(c: Ctx, link: OpenLink, form: FormData, data: unknown): Promise<Response> {
  const { claims } = link;
  const stub = c.env.RUNS.get(c.env.RUNS.idFromName(claims.runId));
  c.set("runId", claims.runId);
  try {
    // The approver is the link's recipient; a link without one (the API's) is recorded as "link".
    const principal = claims.recipient ?? "link";
    unwrap(await stub.resume({ runId: claims.runId, claims, data, principal, trace: currentTraceparent() }));
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return refusedPage(c, link, form, e);
  }
  // Post/Redirect/Get: reloading the confirmation never re-submits.
  return htmlResponse("", 303, { Location: `${linkPath(link.token)}?done=1` });
}

/** POST /r/{token}: refuses other sites and bodies that are not forms, then resumes the run. */
export async function submitLink(c: Ctx): Promise<Response> {
  if (!isAllowedSubmission(c.req.raw.headers, c.req.url, c.env.PUBLIC_BASE_URL)) {
    return errorPage(
      403,
      "Submission refused",
      "This answer was sent from another website. Open the link from your email and submit the page there.",
    );
  }
  const token = c.req.param("token");
  const claims = await verifyLink(c.env, token);
  const state = await readLinkState(c.env, claims);
  if (state.kind !== "open") return settledPage(state, claims, false);
  const form = await readPostedForm(c);
  if (!form) {
    return errorPage(
      415,
      "Submission not understood",
      "The page could not be read. Open the link from your email and submit the form there.",
    );
  }
  const link: OpenLink = { ...state, claims, token };
  const answer = readAnswer(link, form);
  return answer instanceof Response ? answer : resume(c, link, form, answer.data);
}

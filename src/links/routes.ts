import { type Context, Hono } from "hono";
import type { AppEnv } from "../api/app-env";
import type { RunRecord } from "../db/run-queries";
import type { ApprovalStep, Definition, FormStep } from "../definitions/types";
import { unwrap } from "../durable/rpc";
import { htmlResponse } from "../html";
import { AppError } from "../lib/errors";
import { parseTokenSecrets, type ResumeClaims, verifyResumeToken } from "../tokens";
import { fieldMessages, postedValues } from "./field-messages";
import { readApprovalSubmission, readFormSubmission } from "./form-values";
import { errorPage, internalErrorPage, isTokenError, settledPage, tokenErrorPage } from "./link-pages";
import { readLinkState } from "./link-state";
import { approvalView, formView } from "./page-views";
import { isAllowedSubmission } from "./same-origin";
import { renderApprovalPage } from "./templates/approval-page";
import { renderFormPage } from "./templates/form-page";

/**
 * The human pages behind emailed links (docs/api.md, `/r/{token}`): no API key, the token is the
 * capability. GET and HEAD only read (mail scanners prefetch links); POST submits through the run's
 * Durable Object, which uses the token up exactly once.
 */
export const pageRoutes = new Hono<AppEnv>();

type Ctx = Context<AppEnv>;
type Open = { run: RunRecord; def: Definition };

const actionFor = (token: string): string => `/r/${token}`;

const verify = (env: Env, token: string): Promise<ResumeClaims> =>
  verifyResumeToken(parseTokenSecrets(env.RESUME_TOKEN_SECRETS), token);

/** Runs a page handler; token problems become their pages, anything unexpected a 500 page (never JSON). */
async function guarded(c: Ctx, handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (e) {
    if (isTokenError(e)) return tokenErrorPage(e);
    const err = e instanceof Error ? e : new Error(String(e));
    c.get("logger")?.error("human page failed", { error: err.message, stack: err.stack });
    return internalErrorPage(c.get("requestId"));
  }
}

type FormExtra = Parameters<typeof formView>[4];
type ApprovalExtra = Parameters<typeof approvalView>[5];

function formPage(
  o: Open,
  step: FormStep,
  claims: ResumeClaims,
  token: string,
  status = 200,
  extra?: FormExtra,
) {
  return htmlResponse(renderFormPage(formView(o.def, step, claims, actionFor(token), extra)), status);
}

function approvalPage(
  o: Open,
  step: ApprovalStep,
  claims: ResumeClaims,
  token: string,
  status = 200,
  extra?: ApprovalExtra,
) {
  return htmlResponse(
    renderApprovalPage(approvalView(o.run, o.def, step, claims, actionFor(token), extra)),
    status,
  );
}

pageRoutes.get("/r/:token", (c) =>
  guarded(c, async () => {
    const token = c.req.param("token");
    const claims = await verify(c.env, token);
    const state = await readLinkState(c.env.DB, claims);
    if (state.kind !== "open") return settledPage(state, c.req.query("done") === "1");
    return state.step.type === "form"
      ? formPage(state, state.step, claims, token)
      : approvalPage(state, state.step, claims, token);
  }),
);

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/** The posted form, or null when the body is not a form or cannot be parsed. */
async function readPostedForm(c: Ctx): Promise<FormData | null> {
  if (!FORM_TYPES.test(c.req.header("content-type") ?? "")) return null;
  try {
    return await c.req.formData();
  } catch (e) {
    // The body limit reports itself; let the app's handler answer 413.
    if (e instanceof AppError && e.code === "payload_too_large") throw e;
    return null;
  }
}

pageRoutes.post("/r/:token", (c) =>
  guarded(c, async () => {
    if (!isAllowedSubmission(c.req.raw.headers, c.req.url, c.env.PUBLIC_BASE_URL)) {
      return errorPage(
        403,
        "Submission refused",
        "This answer was sent from another website. Open the link from your email and submit the page there.",
      );
    }
    const token = c.req.param("token");
    const claims = await verify(c.env, token);
    const state = await readLinkState(c.env.DB, claims);
    if (state.kind !== "open") return settledPage(state, false);
    const form = await readPostedForm(c);
    if (!form) {
      return errorPage(
        415,
        "Submission not understood",
        "The page could not be read. Open the link from your email and submit the form there.",
      );
    }
    const { step } = state;
    let data: unknown;
    if (step.type === "form") {
      data = readFormSubmission(step.fields, form);
    } else {
      const read = readApprovalSubmission(form);
      const raw = form.get("comment");
      if (!read.ok) {
        const comment = typeof raw === "string" ? raw : undefined;
        return approvalPage(state, step, claims, token, 422, { error: read.error, comment });
      }
      data = read.data;
    }
    const stub = c.env.RUNS.get(c.env.RUNS.idFromName(claims.runId));
    try {
      // The approver is the link's recipient; a link without one (the API's) is recorded as "link".
      unwrap(await stub.resume({ runId: claims.runId, claims, data, principal: claims.recipient ?? "link" }));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      if (e.code === "validation_failed") {
        if (step.type === "form") {
          const values = postedValues(step.fields, form);
          const errors = fieldMessages(step.fields, e.details ?? []);
          return formPage(state, step, claims, token, 422, { values, errors });
        }
        const raw = form.get("comment");
        const comment = typeof raw === "string" ? raw : undefined;
        const error = e.details?.[0]?.message ?? e.message;
        return approvalPage(state, step, claims, token, 422, { error, comment });
      }
      if (e.code === "conflict") {
        // Used meanwhile (a double click), cancelled, or answered by someone else: show where it stands.
        const now = await readLinkState(c.env.DB, claims);
        if (now.kind !== "open") return settledPage(now, false);
        return errorPage(
          409,
          "Please try again",
          "The request changed while you were answering. Submit it again.",
        );
      }
      throw e;
    }
    // Post/Redirect/Get: reloading the confirmation never re-submits.
    return htmlResponse("", 303, { Location: `${actionFor(token)}?done=1` });
  }),
);

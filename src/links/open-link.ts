import type { AiGenerateStep, ApprovalStep, FormStep } from "../definitions/types";
import { htmlResponse } from "../html";
import { parseTokenSecrets, type ResumeClaims, verifyResumeToken } from "../tokens";
import type { LinkState } from "./link-state";
import { approvalView, fixView, formView } from "./page-views";
import { renderApprovalPage } from "./templates/approval-page";
import { renderFixPage } from "./templates/fix-page";
import { renderFormPage } from "./templates/form-page";

/** A verified link whose wait is open: what its page shows and where it posts. */
export type OpenLink = Extract<LinkState, { kind: "open" }> & { claims: ResumeClaims; token: string };
export type FormLink = OpenLink & { step: FormStep };
export type ApprovalLink = OpenLink & { step: ApprovalStep };
export type FixLink = OpenLink & { step: AiGenerateStep };

type FormExtra = Parameters<typeof formView>[4];
type ApprovalExtra = Parameters<typeof approvalView>[5];
type FixExtra = Parameters<typeof fixView>[5];

/** The path a link's page posts to and redirects back to: the link itself. */
export const linkPath = (token: string): string => `/r/${token}`;

/** Verifies a link's token against the key ring (throws the token errors the link pages answer). */
export const verifyLink = (env: Env, token: string): Promise<ResumeClaims> =>
  verifyResumeToken(parseTokenSecrets(env.RESUME_TOKEN_SECRETS), token);

/** The form step's page for an open link; `extra` keeps what was posted and says what was wrong. */
export function formPage(link: FormLink, status = 200, extra?: FormExtra) {
  const view = formView(link.def, link.step, link.claims, linkPath(link.token), extra);
  return htmlResponse(renderFormPage(view), status);
}

/** The approval step's page for an open link; `extra` keeps the comment and says what was wrong. */
export function approvalPage(link: ApprovalLink, status = 200, extra?: ApprovalExtra) {
  const view = approvalView(link.run, link.def, link.step, link.claims, linkPath(link.token), extra);
  return htmlResponse(renderApprovalPage(view), status);
}

/** The fix page of an AI step's invalid output; `extra` keeps what was posted and says what was wrong. */
export function fixPage(link: FixLink, status = 200, extra?: FixExtra) {
  const view = fixView(link.run, link.def, link.step, link.claims, linkPath(link.token), extra);
  return htmlResponse(renderFixPage(view), status);
}

/** The page of an open link, by its step's type. */
export function openLinkPage(link: OpenLink): Response {
  const { step } = link;
  if (step.type === "ai_generate") return fixPage({ ...link, step });
  return step.type === "form" ? formPage({ ...link, step }) : approvalPage({ ...link, step });
}

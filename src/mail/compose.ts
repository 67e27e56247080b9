import { formatUtc } from "../html/format";
import { AppError } from "../lib/errors";
import { renderWaitEmailHtml, type WaitEmailContent } from "./wait-email-html";

/** What a human step's email is about. */
export interface WaitEmailInput {
  kind: "request" | "reminder";
  stepType: "form" | "approval" | "fix";
  workflowName: string;
  workflowId: string;
  stepId: string;
  stepTitle?: string | undefined;
  /** Already rendered as plain text (Mustache without HTML escaping); escaped here for the HTML part. */
  instructions?: string | undefined;
  /** When the link expires, ms since the epoch. */
  deadline: number;
  /** The resume page, `${PUBLIC_BASE_URL}/r/{token}`. */
  link: string;
  to: string;
}

/** A composed email, ready for the outbox. */
export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}

const MAX_SUBJECT = 200;

/** How each kind of wait is named in its email. */
const WORDING = {
  form: { heading: "Input needed", asks: "input", action: "Open the form" },
  approval: { heading: "Approval needed", asks: "approval", action: "Review and decide" },
  fix: {
    heading: "Fix needed",
    asks: "fix of an AI output that failed validation",
    action: "Open and fix it",
  },
} as const;

// A subject is one header line: names from YAML may hold line breaks, so whitespace runs collapse.
function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function subjectOf(input: WaitEmailInput, step: string): string {
  const what = WORDING[input.stepType].heading;
  const subject = oneLine(
    `${input.kind === "reminder" ? "Reminder: " : ""}${what}: ${step} (${input.workflowName})`,
  );
  return subject.length > MAX_SUBJECT ? `${subject.slice(0, MAX_SUBJECT - 1)}…` : subject;
}

/**
 * Composes the email for a form or approval wait (first request or reminder): a plain-text and
 * an HTML part that both name the workflow, the step, the deadline (ISO and readable UTC) and
 * carry the link. Throws AppError("misconfigured") when the link is not http(s), e.g. a bad
 * PUBLIC_BASE_URL, rather than mail a link nobody can open.
 */
export function composeWaitEmail(input: WaitEmailInput): ComposedEmail {
  if (!/^https?:\/\/\S+$/i.test(input.link)) {
    throw new AppError(
      "misconfigured",
      "resume link must be an absolute http(s) URL (check PUBLIC_BASE_URL)",
    );
  }
  const step = oneLine(input.stepTitle ?? input.stepId);
  const workflow = oneLine(input.workflowName);
  const due = formatUtc(input.deadline);
  const wording = WORDING[input.stepType];
  const instructions = input.instructions?.trim() || undefined;

  const content: WaitEmailContent = {
    heading: `${wording.heading}: ${step}`,
    intro: `The workflow "${workflow}" (${input.workflowId}) is waiting for your ${wording.asks} on step "${step}" (${input.stepId}).`,
    reminder: input.kind === "reminder",
    instructions,
    actionLabel: wording.action,
    link: input.link,
    deadlineIso: due.iso,
    deadlineHuman: due.human,
    to: input.to,
  };

  const text = [
    "Hello,",
    "",
    ...(content.reminder ? ["Reminder: this is still waiting for you.", ""] : []),
    content.intro,
    ...(instructions ? ["", "Instructions:", instructions] : []),
    "",
    `${content.actionLabel}:`,
    input.link,
    "",
    `Please respond by ${due.human} (${due.iso}). After that the link expires.`,
    "",
    "--",
    `This email was sent to ${input.to} by Scaff. Anyone with the link can respond: do not forward it.`,
    "",
  ].join("\n");

  return { subject: subjectOf(input, step), text, html: renderWaitEmailHtml(content) };
}

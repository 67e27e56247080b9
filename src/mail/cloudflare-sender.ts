import { type EmailSender, type OutgoingEmail, PermanentMailError, TransientMailError } from "./types";
import { type MailAddress, validateOutgoing } from "./validate";

/** The structured message the Email Service `send_email` binding accepts (workerd 2026-04 and later). */
export interface CloudflareEmailMessage {
  from: string | { email: string; name: string };
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The part of the `send_email` binding (`env.EMAIL`) this sender uses; tests pass a recording fake. */
export interface EmailBinding {
  send(message: CloudflareEmailMessage): Promise<unknown>;
}

// Codes from the Email Service Workers API docs that can succeed on a later attempt. Any other
// `E_*` code describes the message or the account setup, so retrying it only delays the failure.
const TRANSIENT_CODES = new Set([
  "E_RATE_LIMIT_EXCEEDED",
  "E_DAILY_LIMIT_EXCEEDED",
  "E_INTERNAL_SERVER_ERROR",
  "E_DELIVERY_FAILED",
]);

/**
 * Sends through the Cloudflare Email Service binding with its structured `send({...})` form, so
 * the platform builds and signs the MIME message. The binding takes no idempotency key: a send
 * retried after a crash between "sent" and "recorded" can deliver twice.
 */
export class CloudflareEmailSender implements EmailSender {
  readonly name = "cloudflare";
  readonly #binding: EmailBinding;

  constructor(binding: EmailBinding) {
    this.#binding = binding;
  }

  /** Sends one email; binding errors are classified by their `code` (no code: transient). */
  async send(mail: OutgoingEmail): Promise<{ providerMessageId?: string }> {
    const { from, to } = validateOutgoing(mail);
    let result: unknown;
    try {
      result = await this.#binding.send({
        from: toBindingAddress(from),
        to: to.email,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
    } catch (cause) {
      throw classify(cause);
    }
    const messageId = (result as { messageId?: unknown } | null | undefined)?.messageId;
    return typeof messageId === "string" ? { providerMessageId: messageId } : {};
  }
}

function toBindingAddress(a: MailAddress): CloudflareEmailMessage["from"] {
  return a.name ? { email: a.email, name: a.name } : a.email;
}

function classify(cause: unknown): Error {
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  const text = cause instanceof Error ? cause.message : String(cause);
  if (typeof code === "string" && code.startsWith("E_") && !TRANSIENT_CODES.has(code)) {
    return new PermanentMailError(`cloudflare: ${code}: ${text}`, { cause });
  }
  return new TransientMailError(`cloudflare: ${typeof code === "string" ? `${code}: ` : ""}${text}`, {
    cause,
  });
}

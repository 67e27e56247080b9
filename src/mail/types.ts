/** The mail layer's contract: what a sender receives, what it promises, and how it fails. */

/** One email, as stored in the D1 outbox (`mail_outbox`). */
export interface OutgoingEmail {
  /** Outbox row id; senders pass it to the provider as the idempotency key. */
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers an outbox email. Throws `TransientMailError` (retry later) or `PermanentMailError` (give up). */
export interface EmailSender {
  readonly name: string;
  send(mail: OutgoingEmail): Promise<{ providerMessageId?: string }>;
}

/** Worth retrying: network failure, timeout, 429, 5xx. `retryAfterMs` comes from the provider when it says. */
export class TransientMailError extends Error {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "TransientMailError";
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Retrying cannot help: bad address, rejected content, 4xx, missing configuration. */
export class PermanentMailError extends Error {
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "PermanentMailError";
    this.status = options.status;
  }
}

export const isTransientMailError = (e: unknown): e is TransientMailError => e instanceof TransientMailError;
export const isPermanentMailError = (e: unknown): e is PermanentMailError => e instanceof PermanentMailError;

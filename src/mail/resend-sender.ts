import { type EmailSender, type OutgoingEmail, PermanentMailError, TransientMailError } from "./types";
import { validateOutgoing } from "./validate";

export const RESEND_BASE_URL = "https://api.resend.com";
const DEFAULT_TIMEOUT_MS = 15_000;

/** How to reach Resend; `fetch` and `baseUrl` are injectable so tests never leave the machine. */
export interface ResendSenderOptions {
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface ResendErrorBody {
  name?: string;
  message?: string;
}

/** Sends through Resend's HTTP API (`POST /emails`), with the outbox id as `Idempotency-Key`. */
export class ResendSender implements EmailSender {
  readonly name = "resend";
  readonly #apiKey: string;
  readonly #url: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: ResendSenderOptions) {
    this.#apiKey = options.apiKey;
    this.#url = `${(options.baseUrl ?? RESEND_BASE_URL).replace(/\/+$/, "")}/emails`;
    // Wrapped so the platform fetch is never called with a foreign `this`.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Posts the email; maps network errors, 408/429/5xx to transient and other non-2xx to permanent. */
  async send(mail: OutgoingEmail): Promise<{ providerMessageId?: string }> {
    validateOutgoing(mail);
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${this.#apiKey}`,
          "Content-Type": "application/json",
          "Idempotency-Key": mail.id,
        },
        body: JSON.stringify({
          from: mail.from,
          to: [mail.to],
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new TransientMailError(`resend: request failed (${describe(cause)})`, { cause });
    }
    if (res.ok) {
      const body = await readJson<{ id?: unknown }>(res);
      return typeof body?.id === "string" ? { providerMessageId: body.id } : {};
    }
    throw await toMailError(res);
  }
}

async function toMailError(res: Response): Promise<Error> {
  const body = await readJson<ResendErrorBody>(res);
  const detail = [body?.name, body?.message].filter(Boolean).join(": ") || res.statusText;
  const message = `resend: HTTP ${res.status}${detail ? ` (${detail})` : ""}`;
  const status = res.status;
  // Resend answers 409 both while a request with the same key is still in flight (retry) and
  // when the key was used with another payload (never retry).
  const concurrent = status === 409 && body?.name === "concurrent_idempotent_requests";
  if (status === 408 || status === 429 || status >= 500 || concurrent) {
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    return new TransientMailError(
      message,
      retryAfterMs === undefined ? { status } : { status, retryAfterMs },
    );
  }
  return new PermanentMailError(message, { status });
}

async function readJson<T>(res: Response): Promise<T | undefined> {
  try {
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}

/** `Retry-After` as delta-seconds (what Resend sends); an HTTP date is ignored: the queue backs off anyway. */
function parseRetryAfter(value: string | null): number | undefined {
  if (!value || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

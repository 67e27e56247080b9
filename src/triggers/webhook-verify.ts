import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { AppError } from "../lib/errors";

/** What a verified post carries: its id (the run's idempotency key) and its raw body. */
export interface VerifiedWebhook {
  id: string;
  body: string;
}

const HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;
/** A webhook-id becomes an idempotency key: the same bound as the Idempotency-Key header. */
const MAX_ID_LENGTH = 255;

/**
 * Verifies a post by Standard Webhooks (`webhook-id`, `webhook-timestamp` within 5 minutes,
 * `webhook-signature`) against any of the workflow's secrets: 401 unless one of them signed it.
 */
export function verifyWebhook(secrets: readonly string[], headers: Headers, body: string): VerifiedWebhook {
  const given: Record<string, string> = {};
  for (const name of HEADERS) given[name] = headers.get(name) ?? "";
  let reason = "No matching signature found";
  for (const secret of secrets) {
    let hook: Webhook;
    try {
      hook = new Webhook(secret);
    } catch {
      throw new AppError("misconfigured", "A WEBHOOK_SECRETS secret is not a valid whsec_… (base64) secret");
    }
    try {
      hook.verify(body, given, { jsonParse: false });
      return checkedId(given["webhook-id"] ?? "", body);
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      reason = e.message;
      // A missing header or a timestamp out of range is the same for every secret.
      if (!/signature found/i.test(reason)) break;
    }
  }
  throw new AppError("unauthorized", `Webhook not verified: ${explain(reason)}`);
}

function checkedId(id: string, body: string): VerifiedWebhook {
  if (id.length > MAX_ID_LENGTH || !/^[\x21-\x7e]+$/.test(id)) {
    throw new AppError("bad_request", "webhook-id must be at most 255 printable ASCII characters", [
      { path: "webhook-id", message: "at most 255 printable ASCII characters, no spaces" },
    ]);
  }
  return { id, body };
}

/** standardwebhooks' reasons, said the way a sender can act on them. */
function explain(reason: string): string {
  if (/missing/i.test(reason)) return "webhook-id, webhook-timestamp and webhook-signature are required";
  if (/too old|too new/i.test(reason)) return "webhook-timestamp is more than 5 minutes from now";
  if (/invalid signature headers/i.test(reason)) return "webhook-timestamp is not a Unix time in seconds";
  return "webhook-signature matches no secret of this workflow";
}

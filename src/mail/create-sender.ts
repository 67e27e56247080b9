import { AppError } from "../lib/errors";
import { CloudflareEmailSender, type EmailBinding } from "./cloudflare-sender";
import { OutboxSender } from "./outbox-sender";
import { ResendSender } from "./resend-sender";
import type { EmailSender } from "./types";

/** The bindings the mail layer reads; `Env` satisfies it. */
export interface MailEnv {
  EMAIL_PROVIDER?: string;
  RESEND_API_KEY?: string;
  EMAIL?: EmailBinding;
}

/** Test and integration seams; production passes none. */
export interface EmailSenderOverrides {
  fetch?: typeof fetch;
  resendBaseUrl?: string;
  emailBinding?: EmailBinding;
}

export const EMAIL_PROVIDERS = ["outbox", "resend", "cloudflare"] as const;
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

/**
 * Builds the sender named by EMAIL_PROVIDER (default `outbox`), per request. Unknown names and
 * missing credentials/bindings throw AppError("misconfigured") so the first request fails loudly.
 */
export function createEmailSender(env: MailEnv, overrides: EmailSenderOverrides = {}): EmailSender {
  const provider = (env.EMAIL_PROVIDER ?? "").trim().toLowerCase() || "outbox";
  switch (provider) {
    case "outbox":
      return new OutboxSender();
    case "resend": {
      const apiKey = env.RESEND_API_KEY?.trim();
      if (!apiKey)
        throw new AppError("misconfigured", "EMAIL_PROVIDER=resend needs the RESEND_API_KEY secret");
      return new ResendSender({
        apiKey,
        ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
        ...(overrides.resendBaseUrl ? { baseUrl: overrides.resendBaseUrl } : {}),
      });
    }
    case "cloudflare": {
      const binding = overrides.emailBinding ?? env.EMAIL;
      if (!binding) {
        throw new AppError(
          "misconfigured",
          'EMAIL_PROVIDER=cloudflare needs a send_email binding named EMAIL ([[send_email]] name = "EMAIL")',
        );
      }
      return new CloudflareEmailSender(binding);
    }
    default:
      throw new AppError(
        "misconfigured",
        `EMAIL_PROVIDER "${provider}" is not one of ${EMAIL_PROVIDERS.join(", ")}`,
      );
  }
}

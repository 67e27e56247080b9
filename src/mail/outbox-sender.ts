import type { EmailSender, OutgoingEmail } from "./types";
import { validateOutgoing } from "./validate";

/**
 * The default sender: delivers nothing. The email stays readable in the D1 outbox
 * (and at `GET /dev/mail` when DEV_MODE=true), which is what local runs and tests want.
 */
export class OutboxSender implements EmailSender {
  readonly name = "outbox";

  /** Validates like a real sender, then reports the outbox row as the "provider" message. */
  async send(mail: OutgoingEmail): Promise<{ providerMessageId: string }> {
    validateOutgoing(mail);
    return { providerMessageId: `outbox:${mail.id}` };
  }
}

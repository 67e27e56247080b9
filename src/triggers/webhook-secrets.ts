import { ID_PATTERN } from "../definitions/identifiers";
import { AppError } from "../lib/errors";

/**
 * Parses WEBHOOK_SECRETS (`workflow_id=whsec_…;other=whsec_…`; several secrets for one workflow, comma
 * separated, while a secret is rotated). Unset: no workflow accepts webhooks. Malformed: AppError
 * ("misconfigured") naming the entry, never guessed.
 */
export function parseWebhookSecrets(value: string | undefined): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  const entries = (value ?? "").split(";").map((e) => e.trim());
  entries.forEach((entry, i) => {
    if (entry === "") return;
    const eq = entry.indexOf("=");
    const id = entry.slice(0, eq).trim();
    const secrets = entry
      .slice(eq + 1)
      .split(",")
      .map((s) => s.trim());
    if (eq <= 0 || !ID_PATTERN.test(id) || secrets.some((s) => s === "")) {
      throw new AppError(
        "misconfigured",
        `WEBHOOK_SECRETS entry ${i + 1} is malformed: expected workflow_id=whsec_…[,whsec_…]`,
      );
    }
    if (out.has(id)) {
      throw new AppError("misconfigured", `WEBHOOK_SECRETS names ${id} twice: list its secrets in one entry`);
    }
    out.set(id, secrets);
  });
  return out;
}

import { MAX_RECIPIENTS } from "../lib/limits";
import { renderText } from "../lib/render";

// Deliberately loose: the mail provider is the final judge; this keeps obvious junk out of the outbox.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/**
 * Renders recipient templates; a template may yield several comma-separated addresses. Invalid ones
 * are dropped (the first MAX_RECIPIENTS of them are reported). Linear in the rendered text, however
 * long run data makes it: the caller enforces the per-step limit on `valid`.
 */
export function renderRecipients(
  templates: readonly string[],
  view: object,
): { valid: string[]; dropped: string[] } {
  const valid = new Set<string>();
  const dropped: string[] = [];
  for (const template of templates) {
    for (const part of renderText(template, view).split(",")) {
      const address = part.trim();
      if (address === "") continue;
      if (EMAIL.test(address) && address.length <= 254) {
        valid.add(address.toLowerCase());
      } else if (dropped.length < MAX_RECIPIENTS) {
        dropped.push(address.slice(0, 100));
      }
    }
  }
  return { valid: [...valid], dropped };
}

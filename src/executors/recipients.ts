import { renderText } from "../lib/render";

// Deliberately loose: the mail provider is the final judge; this keeps obvious junk out of the outbox.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;

/** Renders recipient templates; a template may yield several comma-separated addresses. Invalid ones are dropped. */
export function renderRecipients(
  templates: readonly string[],
  view: object,
): { valid: string[]; dropped: string[] } {
  const valid: string[] = [];
  const dropped: string[] = [];
  for (const template of templates) {
    for (const part of renderText(template, view).split(",")) {
      const address = part.trim();
      if (address === "") continue;
      if (EMAIL.test(address) && address.length <= 254) {
        if (!valid.includes(address.toLowerCase())) valid.push(address.toLowerCase());
      } else {
        dropped.push(address.slice(0, 100));
      }
    }
  }
  return { valid, dropped };
}

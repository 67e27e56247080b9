/**
 * Personal data kept out of events and logs: every email address is masked to its first character
 * and its domain (`a***@acme.test`), and the answers to form fields marked `sensitive: true` are
 * replaced by "[redacted]" wherever they appear in a string (in every encoding the secret redaction
 * knows: raw, URL, form, JSON, base64). The run's context and history keep the values: the run needs them.
 */
import { redactSecrets } from "./secrets";

const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** `ann@acme.test` → `a***@acme.test`. */
export const maskEmail = (address: string): string =>
  `${address.slice(0, 1)}***${address.slice(address.indexOf("@"))}`;

/** The text with every email address in it masked. */
export const maskEmails = (text: string): string => text.replace(EMAIL, maskEmail);

function maskDeep(value: unknown): unknown {
  if (typeof value === "string") return maskEmails(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties: a "__proto__" key stays data.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [maskEmails(k), maskDeep(v)]));
  }
  return value;
}

/** A deep copy of `value` with its sensitive answers redacted and its email addresses masked. */
export function maskPii(value: unknown, sensitive: readonly string[] = []): unknown {
  const redacted =
    sensitive.length > 0 ? redactSecrets(value, Object.fromEntries(sensitive.map((v, i) => [i, v]))) : value;
  return maskDeep(redacted);
}

/**
 * Workflow secrets: the only Worker secrets a workflow template may read are `SECRET_<NAME>`,
 * exposed as `{{secrets.<NAME>}}`. Nothing else in `env` (API_KEYS, RESUME_TOKEN_SECRETS,
 * OPENAI_API_KEY, ...) is ever put in a template view, so no definition can exfiltrate it.
 * Where a secret may go is SECRETS_ALLOWED_HOSTS (config/env.ts parses it, `secretMayGoTo` applies it).
 */
import type { SecretHosts } from "../config/env";

const PREFIX = "SECRET_";
/** Shorter values would redact ordinary words and digits all over stored data. */
const MIN_REDACT_LENGTH = 4;
/** A shorter base64 run would match ordinary encoded data (images, hashes) by chance. */
const MIN_BASE64_LENGTH = 6;
export const REDACTED = "[redacted]";

/** Maps every `SECRET_<NAME>` string binding to `<NAME>`; every other binding is left out. */
export function collectWorkflowSecrets(env: Env): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(env as unknown as Record<string, unknown>)) {
    if (!key.startsWith(PREFIX) || key.length === PREFIX.length) continue;
    if (typeof value !== "string") continue;
    secrets[key.slice(PREFIX.length)] = value;
  }
  return secrets;
}

/** True when SECRETS_ALLOWED_HOSTS lets secret `name` go to `url`'s host and (effective) port. */
export function secretMayGoTo(hosts: SecretHosts, name: string, url: URL): boolean {
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  return (hosts.get(name) ?? []).some(
    (rule) =>
      (rule.port === undefined || rule.port === port) &&
      (rule.subdomains ? url.hostname.endsWith(`.${rule.host}`) : url.hostname === rule.host),
  );
}

const jsonEscaped = (text: string): string => JSON.stringify(text).slice(1, -1);
const asciiJsonEscaped = (text: string): string =>
  jsonEscaped(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * The base64 of a secret inside a longer encoded string (`Basic base64(user:secret)`) depends on
 * where it starts modulo 3 bytes: for each offset, the characters that only the secret's bits
 * decide. Standard and URL-safe alphabets.
 */
function base64Runs(value: string): string[] {
  const bytes = new TextEncoder().encode(value);
  const runs: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = btoa(String.fromCharCode(...padded));
    const run = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * padded.length) / 6));
    if (run.length < MIN_BASE64_LENGTH) continue;
    runs.push(run, run.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return runs;
}

// Every form in which a request or a server's answer can carry a secret into stored data: raw,
// percent-encoded, form-encoded (spaces as `+`), JSON-escaped (once, twice, or with \u escapes
// for non-ASCII) and base64.
function secretForms(secrets: Record<string, string>): string[] {
  const forms = new Set<string>();
  for (const value of Object.values(secrets)) {
    if (value.length < MIN_REDACT_LENGTH) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(new URLSearchParams({ v: value }).toString().slice(2));
    forms.add(jsonEscaped(value));
    forms.add(jsonEscaped(jsonEscaped(value)));
    forms.add(asciiJsonEscaped(value));
    for (const run of base64Runs(value)) forms.add(run);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

function redactString(text: string, forms: string[]): string {
  let out = text;
  for (const form of forms) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

function redactWith(value: unknown, forms: string[]): unknown {
  if (typeof value === "string") return redactString(value, forms);
  if (Array.isArray(value)) return value.map((item) => redactWith(item, forms));
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties: a "__proto__" key in a response stays data.
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactString(key, forms), redactWith(item, forms)]),
    );
  }
  return value;
}

/** Returns a deep copy of `value` with every form of a secret value (>= 4 chars) in its strings replaced by "[redacted]". */
export function redactSecrets(value: unknown, secrets: Record<string, string>): unknown {
  const forms = secretForms(secrets);
  if (forms.length === 0) return value;
  return redactWith(value, forms);
}

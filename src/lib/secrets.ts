/**
 * Workflow secrets: the only Worker secrets a workflow template may read are `SECRET_<NAME>`,
 * exposed as `{{secrets.<NAME>}}`. Nothing else in `env` (API_KEYS, RESUME_TOKEN_SECRETS,
 * OPENAI_API_KEY, ...) is ever put in a template view, so no definition can exfiltrate it.
 */

const PREFIX = "SECRET_";
/** Shorter values would redact ordinary words and digits all over stored data. */
const MIN_REDACT_LENGTH = 4;
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

// A secret can reach stored data in the forms a request gives it: raw (headers, JSON bodies),
// percent-encoded (URL paths and queries) or form-encoded (URLSearchParams writes spaces as `+`).
function secretForms(secrets: Record<string, string>): string[] {
  const forms = new Set<string>();
  for (const value of Object.values(secrets)) {
    if (value.length < MIN_REDACT_LENGTH) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(new URLSearchParams({ v: value }).toString().slice(2));
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
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[redactString(key, forms)] = redactWith(item, forms);
    return out;
  }
  return value;
}

/** Returns a deep copy of `value` with every occurrence of a secret value (>= 4 chars) in its strings replaced by "[redacted]". */
export function redactSecrets(value: unknown, secrets: Record<string, string>): unknown {
  const forms = secretForms(secrets);
  if (forms.length === 0) return value;
  return redactWith(value, forms);
}

/** Reading a model's answer as JSON, and telling the model what was wrong with it. */
import type { SchemaError } from "../lib/json-schema";

/** Errors listed in one re-ask; the rest are summarised ("and N more"). */
export const REASK_MAX_ERRORS = 10;
/** Upper bound for the error list of one re-ask, so a huge message cannot blow the context window. */
export const REASK_MAX_BYTES = 4096;
/** An invalid answer echoed back as the assistant turn is cut to this many characters. */
export const ECHO_MAX_CHARS = 16_384;

export type ParsedOutput = { ok: true; value: unknown } | { ok: false; error: SchemaError };

const FENCED = /```[a-zA-Z]*[ \t]*\r?\n?([\s\S]*?)```/;

/** Parses an answer as JSON, accepting a ```json fenced block (models add fences even when told not to). */
export function parseModelJson(text: string): ParsedOutput {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = FENCED.exec(trimmed)?.[1];
  if (fenced !== undefined) candidates.unshift(fenced.trim());
  let message = "empty answer";
  for (const candidate of candidates) {
    if (candidate === "") continue;
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (e) {
      message = e instanceof Error ? e.message : String(e);
    }
  }
  return {
    ok: false,
    error: { path: "", keyword: "json", message: `The answer is not valid JSON (${message}).` },
  };
}

/** One line per error: `- /items/0/price (minimum): 0 is less than 1.` */
export function formatSchemaErrors(errors: SchemaError[]): string {
  const lines: string[] = [];
  let bytes = 0;
  for (const error of errors.slice(0, REASK_MAX_ERRORS)) {
    const line = `- ${error.path || "(root)"} (${error.keyword}): ${error.message}`;
    if (bytes + line.length + 1 > REASK_MAX_BYTES) break;
    lines.push(line);
    bytes += line.length + 1;
  }
  if (lines.length < errors.length) lines.push(`- ...and ${errors.length - lines.length} more`);
  return lines.join("\n");
}

/** The user turn that asks again after an invalid answer. */
export function reaskMessage(errors: SchemaError[]): string {
  return [
    "Your previous answer does not match the required JSON Schema. Validation errors (JSON pointer, keyword, message):",
    formatSchemaErrors(errors),
    "Answer again with only the corrected JSON value, valid against the schema.",
  ].join("\n");
}

/** The invalid answer as it is echoed back to the model, cut when very long. */
export function echoAnswer(text: string): string {
  return text.length <= ECHO_MAX_CHARS ? text : `${text.slice(0, ECHO_MAX_CHARS)}\n[answer truncated]`;
}

/** Values as the short text lines of a page's label/value lists. */

/** Longest value shown in a page's details list; the full data stays available through the API. */
export const MAX_VALUE_CHARS = 300;

/** Cuts text to `max` characters, marking the cut. */
export const truncate = (text: string, max = MAX_VALUE_CHARS): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return undefined;
}

/** A value as one line: scalars as text, lists of scalars joined, anything deeper as JSON; none for null. */
export function displayText(value: unknown): string | undefined {
  const scalar = scalarText(value);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(value) && value.every((v) => scalarText(v) !== undefined)) {
    return value.map((v) => scalarText(v)).join(", ");
  }
  return value === null || value === undefined ? undefined : JSON.stringify(value);
}

/** Durations in definitions (`timeout: 7d`, `remind_after: 1h30m`), converted to milliseconds. */

export const MAX_DURATION_MS = 365 * 24 * 60 * 60 * 1000;

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
  w: 7 * 24 * 60 * 60 * 1000,
};
/** Units must appear from largest to smallest, each at most once: `1h30m`, not `30m1h`. */
const ORDER = ["w", "d", "h", "m", "s", "ms"];
const PART = /(\d{1,9})(ms|w|d|h|m|s)/y;

/** Parses `500ms`, `30s`, `12h`, `7d`, `2w`, `1h30m` into ms; null for junk, zero, or over 365 days. */
export function parseDuration(text: string): number | null {
  const result = measure(text);
  return "ms" in result ? result.ms : null;
}

/** Explains why a duration was refused (null when it is fine), for definition issues. */
export function durationProblem(text: unknown): string | null {
  const result = measure(text);
  return "error" in result ? result.error : null;
}

const JUNK = "is not a duration; use a number and a unit (ms, s, m, h, d, w), e.g. 30s, 12h, 7d, 1h30m";

function measure(text: unknown): { ms: number } | { error: string } {
  if (typeof text !== "string") return { error: "must be a duration string such as 30s, 12h or 7d" };
  const source = text.trim();
  if (source === "") return { error: `"" ${JUNK}` };
  let total = 0;
  let lastUnit = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < source.length) {
    const match = PART.exec(source);
    if (!match) return { error: `"${source}" ${JUNK}` };
    const unit = match[2] ?? "";
    const rank = ORDER.indexOf(unit);
    if (rank <= lastUnit) return { error: `"${source}": units must go from largest to smallest, each once` };
    lastUnit = rank;
    total += Number(match[1]) * (UNIT_MS[unit] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return { error: `"${source}" ${JUNK}` };
  if (total <= 0) return { error: "must be greater than zero" };
  if (total > MAX_DURATION_MS) return { error: "must be at most 365 days" };
  return { ms: total };
}

/** Strings and numbers within a flat schema's bounds, formats, patterns and multipleOf. */

import { patternFinds } from "../../lib/re2";
import type { Flat } from "./flatten";
import { generateFormat, WORDS } from "./formats";
import type { Rng } from "./prng";
import { generateFromPattern } from "./regex-gen";

/** Unbounded numbers are drawn from this span above the lower (or below the upper) bound. */
const DEFAULT_SPAN = 100;
const PATTERN_TRIES = 12;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const codePoints = (s: string): number => [...s].length;

function fitsLength(s: string, min: number, max: number): boolean {
  const n = codePoints(s);
  return n >= min && n <= max;
}

function matchesAll(s: string, patterns: string[]): boolean {
  return patterns.every((p) => {
    try {
      return patternFinds(p, s);
    } catch {
      return true; // An invalid pattern is the schema check's problem, not the generator's.
    }
  });
}

/** Readable filler text of exactly `length` characters. */
function text(rng: Rng, length: number): string {
  let out = rng.pick(WORDS) as string;
  while (out.length < length) out += ` ${rng.pick(WORDS)}`;
  out = out.slice(0, length);
  // A trailing space reads badly and trips `\S$`-style patterns: swap it for a letter.
  return out.endsWith(" ") ? `${out.slice(0, -1)}s` : out;
}

/** A string for the flat schema: its format, else its pattern, else filler text, within min/maxLength. */
export function genString(flat: Flat, rng: Rng): string {
  const min = num(flat.s.minLength) ?? 0;
  const max = num(flat.s.maxLength) ?? Number.POSITIVE_INFINITY;
  const patterns = flat.patterns;
  for (let i = 0; typeof flat.s.format === "string" && i < PATTERN_TRIES; i++) {
    const value = generateFormat(flat.s.format, rng);
    if (value === undefined) break;
    if (fitsLength(value, min, max) && matchesAll(value, patterns)) return value;
  }
  for (const pattern of patterns) {
    for (let i = 0; i < PATTERN_TRIES; i++) {
      const value = generateFromPattern(pattern, rng);
      if (value === null) break;
      if (fitsLength(value, min, max) && matchesAll(value, patterns)) return value;
    }
  }
  const upper = Math.min(max, Math.max(min, 1) + 24);
  const lower = Math.min(Math.max(min, Math.min(5, upper)), upper);
  return text(rng, rng.int(lower, upper));
}

const decimals = (x: number): number => {
  const [, frac = "", exp = "0"] = /^-?\d*\.?(\d*)(?:e([+-]?\d+))?$/i.exec(String(x)) ?? [];
  return Math.max(0, frac.length - Number(exp));
};

/** A number (or integer) inside minimum/maximum (inclusive or exclusive, draft 4 or later) and multipleOf. */
export function genNumber(flat: Flat, integer: boolean, rng: Rng): number {
  const s = flat.s;
  let lo = num(s.minimum);
  let hi = num(s.maximum);
  let loExcl = s.exclusiveMinimum === true;
  let hiExcl = s.exclusiveMaximum === true;
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  if (exMin !== undefined && (lo === undefined || exMin >= lo)) [lo, loExcl] = [exMin, true];
  if (exMax !== undefined && (hi === undefined || exMax <= hi)) [hi, hiExcl] = [exMax, true];
  if (lo === undefined && hi === undefined) [lo, hi] = [0, DEFAULT_SPAN];
  const low = lo ?? (hi as number) - DEFAULT_SPAN;
  const high = hi ?? low + DEFAULT_SPAN;
  const step = num(s.multipleOf);
  if (step !== undefined && step > 0) return multipleIn(step, low, high, loExcl, hiExcl, integer, rng);
  if (integer) {
    const a = Number.isInteger(low) ? (loExcl ? low + 1 : low) : Math.ceil(low);
    const b = Number.isInteger(high) ? (hiExcl ? high - 1 : high) : Math.floor(high);
    return rng.int(a, b);
  }
  const value = Math.round((low + rng.next() * (high - low)) * 100) / 100;
  const ok = (v: number) => (loExcl ? v > low : v >= low) && (hiExcl ? v < high : v <= high);
  return ok(value) ? value : (low + high) / 2;
}

function multipleIn(
  step: number,
  low: number,
  high: number,
  loExcl: boolean,
  hiExcl: boolean,
  integer: boolean,
  rng: Rng,
): number {
  let kLo = Math.ceil(low / step);
  let kHi = Math.floor(high / step);
  if (loExcl && kLo * step <= low) kLo++;
  if (hiExcl && kHi * step >= high) kHi--;
  const places = decimals(step);
  // Decimal rounding keeps 3 * 0.1 at 0.3, which a decimal-exact multipleOf check accepts.
  const at = (k: number) => Number((k * step).toFixed(places));
  const start = rng.int(kLo, Math.max(kLo, kHi));
  if (!integer || Number.isInteger(step)) return at(start);
  for (let k = start; k <= Math.max(kHi, start + 1000); k++) if (Number.isInteger(at(k))) return at(k);
  return at(start);
}

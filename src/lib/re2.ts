/**
 * Every user-written pattern (form and JSON Schema `pattern`, `patternProperties`, CEL `matches`) runs
 * here, on RE2 (re2js): matching takes time linear in the input whatever the pattern, so no pattern
 * and no posted value can freeze a run. RE2 has no backreferences and no lookaround; such patterns do
 * not compile and are refused when a definition is saved (see docs/workflows.md, "Patterns").
 */
import { RE2JS } from "re2js";

/** Compiled patterns by source text, least recently used first; bounded for patterns from run data. */
const cache = new Map<string, RE2JS | PatternError>();
const MAX_CACHED = 256;
/** Longer patterns are refused: compiling costs time in proportion to the program it expands to. */
export const MAX_PATTERN_LENGTH = 1000;
/**
 * Text longer than this never matches a pattern: without a DFA RE2 costs a few µs per character, so
 * this bounds one match to ~50 ms of CPU whatever the pattern.
 */
export const MAX_MATCH_INPUT = 16_384;
/** Matching costs up to this much per input character once RE2's DFA gives up; bigger is refused. */
export const MAX_PROGRAM_SIZE = 10_000;

/** A pattern RE2 cannot compile; `problem` completes "the pattern …" with RE2's own reason. */
export class PatternError extends Error {
  readonly pattern: string;
  readonly problem: string;

  constructor(pattern: string, reason: string) {
    const problem = `is not a regular expression RE2 can run (${reason})`;
    const shown = pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
    super(`Pattern ${JSON.stringify(shown)} ${problem}`);
    this.name = "PatternError";
    this.pattern = pattern;
    this.problem = problem;
  }
}

/**
 * JSON Schema patterns are ECMA-262 ones: accept their `\uXXXX` (surrogate pairs included) and
 * `\u{…}` escapes, which RE2 spells `\x{…}`. An escaped backslash is consumed first, so `\\u0041`
 * stays a backslash followed by "u0041".
 */
const UNICODE_ESCAPE =
  /\\(?:\\|u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4}))/g;

function toRe2Syntax(source: string): string {
  return source.replace(
    UNICODE_ESCAPE,
    (all, high?: string, low?: string, braced?: string, four?: string) => {
      if (high !== undefined && low !== undefined) {
        const code =
          (Number.parseInt(high, 16) - 0xd800) * 0x400 + (Number.parseInt(low, 16) - 0xdc00) + 0x10000;
        return `\\x{${code.toString(16)}}`;
      }
      const hex = braced ?? four;
      return hex === undefined ? all : `\\x{${hex}}`;
    },
  );
}

/** RE2's message for `(?<=` is "invalid named capture": name the missing features instead. */
const UNSUPPORTED = /\(\?<?[=!]|\\[1-9]/;
const HINT = "; RE2 has no lookahead, lookbehind or backreferences";

function build(source: string): RE2JS | PatternError {
  if (source.length > MAX_PATTERN_LENGTH) {
    return new PatternError(source, `longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  try {
    const re = RE2JS.compile(toRe2Syntax(source));
    if (re.programSize() <= MAX_PROGRAM_SIZE) return re;
    return new PatternError(source, `expands to more than ${MAX_PROGRAM_SIZE} instructions`);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^error parsing regexp: /, "") : String(e);
    return new PatternError(source, UNSUPPORTED.test(source) ? `${reason}${HINT}` : reason);
  }
}

function lookup(source: string): RE2JS | PatternError {
  let entry = cache.get(source);
  if (entry === undefined) {
    entry = build(source);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(source);
  }
  cache.set(source, entry);
  return entry;
}

/** Compiles `source` with RE2 (cached); throws PatternError when RE2 cannot compile it. */
export function compilePattern(source: string): RE2JS {
  const entry = lookup(source);
  if (entry instanceof PatternError) throw entry;
  return entry;
}

/** Why RE2 cannot compile `source` ("is not …", for a save-time issue); undefined when it compiles. */
export function patternProblem(source: string): string | undefined {
  const entry = lookup(source);
  return entry instanceof PatternError ? entry.problem : undefined;
}

/**
 * Whether `source` matches somewhere in `text` (unanchored search, as JSON Schema `pattern` and CEL
 * `matches` define it; anchor with `^…$` to match the whole text). Throws PatternError.
 */
export function patternFinds(source: string, text: string): boolean {
  const re = compilePattern(source);
  return text.length <= MAX_MATCH_INPUT && re.test(text);
}

/** A `RegExp` stand-in that only offers `test`, on RE2; see withLinearRegExp. */
class LinearRegExp {
  readonly #re: RE2JS;

  constructor(source: unknown, flags?: unknown) {
    // Only the Unicode flag is meaningful here; RE2 always matches by code point.
    if (flags !== undefined && flags !== "u")
      throw new PatternError(String(source), `unsupported flags "${flags}"`);
    this.#re = compilePattern(String(source));
  }

  test(text: unknown): boolean {
    const s = String(text);
    return s.length <= MAX_MATCH_INPUT && this.#re.test(s);
  }
}

/**
 * Runs `fn` with the global `RegExp` constructor replaced by LinearRegExp, for a library that builds
 * `new RegExp(userPattern)` itself and offers no way to plug in another engine (@cfworker/json-schema
 * for `pattern` and `patternProperties`). `fn` must be synchronous: nothing else can run until it
 * returns, and regular expression literals never go through the global constructor.
 */
export function withLinearRegExp<T>(fn: () => T): T {
  const original = globalThis.RegExp;
  globalThis.RegExp = LinearRegExp as unknown as RegExpConstructor;
  try {
    return fn();
  } finally {
    globalThis.RegExp = original;
  }
}

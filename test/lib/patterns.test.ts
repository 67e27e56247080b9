/**
 * The RE2 wrapper (lib/re2) and everything that runs user patterns through it: the JSON Schema
 * validator (pattern, patternProperties, format) and CEL matches(). Inputs that would keep a
 * backtracking engine busy for minutes must simply get their answer.
 */
import { describe, expect, it } from "vitest";
import { ExpressionError, evaluateCondition, parseExpression } from "../../src/lib/cel";
import { compileSchema } from "../../src/lib/json-schema";
import { isUrl } from "../../src/lib/json-schema-formats";
import {
  compilePattern,
  MAX_MATCH_INPUT,
  MAX_PATTERN_LENGTH,
  PatternError,
  patternFinds,
  patternProblem,
  withLinearRegExp,
} from "../../src/lib/re2";

const EXPONENTIAL = "^([a-z]|[a-z0-9])+$"; // passed the old guard; 156 ms at 24 characters, doubling
const pathological = `${"a".repeat(40)}!`;

describe("the RE2 wrapper", () => {
  it("searches anywhere in the text, as JSON Schema and CEL define it; ^…$ anchors", () => {
    expect(patternFinds("b+", "abbbc")).toBe(true);
    expect(patternFinds("^b+$", "abbbc")).toBe(false);
    expect(patternFinds("^\\d{3}-\\d{4}$", "555-1234")).toBe(true);
    expect(patternFinds("^\\p{L}+$", "Grüße")).toBe(true);
  });

  it("answers pathological pattern and input pairs at once", () => {
    expect(patternFinds(EXPONENTIAL, pathological)).toBe(false);
    expect(patternFinds("(a+)+$", `${"a".repeat(100_000)}!`)).toBe(false);
    expect(patternFinds("^\\w+\\s?\\w+$", `${"a".repeat(1_000_000)}!`)).toBe(false);
  });

  it("accepts ECMA-262 \\u escapes (surrogate pairs too), but not an escaped backslash before u", () => {
    expect(patternFinds("^\\u00e9$", "é")).toBe(true);
    expect(patternFinds("^\\u{1F600}$", "😀")).toBe(true);
    expect(patternFinds("^\\uD83D\\uDE00$", "😀")).toBe(true);
    expect(patternFinds("^\\\\u0041$", "\\u0041")).toBe(true);
  });

  it("refuses what RE2 cannot run, naming the missing feature", () => {
    for (const source of ["(a)\\1", "(?=a)b", "a(?!b)", "(?<=a)b", "(?<!a)b"]) {
      expect(patternProblem(source), source).toMatch(
        /^is not a regular expression RE2 can run \(.*no lookahead, lookbehind or backreferences\)$/,
      );
    }
    expect(patternProblem("[a-")).toMatch(/missing closing \]/);
    expect(patternProblem("a".repeat(MAX_PATTERN_LENGTH + 1))).toMatch(/longer than 1000 characters/);
    expect(patternProblem("a{1000}".repeat(11))).toMatch(/expands to more than 10000 instructions/);
    expect(() => patternFinds("(?=a)", "a")).toThrow(PatternError);
    expect(patternProblem("^[a-z]+$")).toBeUndefined();
  });

  it("compiles each pattern once", () => {
    expect(compilePattern("^cached$")).toBe(compilePattern("^cached$"));
  });

  it("lends a RegExp stand-in for one synchronous call only, and restores the real one", () => {
    const original = globalThis.RegExp;
    expect(withLinearRegExp(() => new RegExp(EXPONENTIAL, "u").test(pathological))).toBe(false);
    // A variable, not a literal: regular expression literals never go through the global constructor.
    const lookahead = "(?=a)";
    expect(() => withLinearRegExp(() => new RegExp(lookahead, "u"))).toThrow(PatternError);
    expect(globalThis.RegExp).toBe(original);
  });
});

describe("JSON Schema patterns run on RE2, with the validator's usual errors", () => {
  it("pattern: a value far over maxLength is checked at once, both errors reported as before", () => {
    const validate = compileSchema({
      type: "object",
      properties: { words: { type: "string", maxLength: 100, pattern: "^\\w+\\s?\\w+$" } },
    });
    const result = validate({ words: `${"a".repeat(1_000_000)}!` });
    expect(result).toEqual({
      valid: false,
      errors: [
        { path: "/words", keyword: "maxLength", message: "String is too long (1000001 > 100)." },
        { path: "/words", keyword: "pattern", message: "String does not match pattern." },
      ],
    });
    expect(compileSchema({ type: "string", pattern: EXPONENTIAL })(pathological)).toMatchObject({
      valid: false,
    });
    expect(compileSchema({ type: "string", pattern: EXPONENTIAL })("abc42")).toEqual({ valid: true });
  });

  it("patternProperties: matching keys are checked and count as evaluated; others are not allowed", () => {
    const validate = compileSchema({
      type: "object",
      patternProperties: { [EXPONENTIAL]: { type: "integer" } },
      additionalProperties: false,
    });
    expect(validate({ abc: 1, x9: 2 })).toEqual({ valid: true });
    expect(validate({ abc: "one", [pathological]: 1 })).toEqual({
      valid: false,
      errors: [
        { path: "/abc", keyword: "type", message: 'Value type "string" is invalid. Expected "integer".' },
        { path: `/${pathological}`, keyword: "additionalProperties", message: "Is not allowed." },
      ],
    });
  });

  it("a stored pattern RE2 cannot compile is a validation error, not a crash", () => {
    expect(compileSchema({ type: "string", pattern: "(?=a)" })("a")).toMatchObject({
      valid: false,
      errors: [{ path: "", keyword: "schema", message: expect.stringMatching(/RE2/) }],
    });
  });

  it("format url: same answers as cfworker's expression, in linear time", () => {
    const cases: Array<[string, boolean]> = [
      ["https://example.com", true],
      ["http://www.example.com/a/b?c=d#e", true],
      ["ftp://files.example.org:2121/x", true],
      ["https://user:pw@example.com/", true],
      ["http://8.8.8.8/dns", true],
      ["http://10.0.0.1/", false],
      ["http://127.0.0.1:8080", false],
      ["http://172.16.0.1", false],
      ["http://172.32.0.1", true],
      ["http://10.0.0.1.example.com", true],
      ["https://localhost", false],
      ["https://例え.テスト/パス", true],
      ["HTTPS://EXAMPLE.COM", true],
      ["https://-a.io", false],
      ["https://example.com:8", false],
      ["https://example.com/ space", false],
    ];
    for (const [url, valid] of cases) expect(isUrl(url), url).toBe(valid);
    expect(isUrl(`http://${"a".repeat(40)}!`)).toBe(false);
    expect(isUrl(`http://${":".repeat(1_000_000)}`)).toBe(false);
    expect(compileSchema({ type: "string", format: "url" })(`http://${"a-".repeat(40)}!`)).toMatchObject({
      valid: false,
      errors: [{ keyword: "format" }],
    });
  });

  it("format regex: a string RE2 can compile", () => {
    const validate = compileSchema({ type: "string", format: "regex" });
    expect(validate("^[a-z]+$")).toEqual({ valid: true });
    expect(validate("(?=a)")).toMatchObject({ valid: false, errors: [{ keyword: "format" }] });
  });
});

describe("CEL matches() runs on RE2", () => {
  const failure = (fn: () => unknown): ExpressionError => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ExpressionError) return e;
      throw e;
    }
    throw new Error("expected an ExpressionError");
  };

  it("with a pattern from run data, however it backtracks", () => {
    const expr = "runtime.x.matches(runtime.y)";
    expect(evaluateCondition(expr, { runtime: { x: pathological, y: EXPONENTIAL } })).toBe(false);
    expect(evaluateCondition(expr, { runtime: { x: "order 42", y: "\\d+$" } })).toBe(true);
    expect(evaluateCondition('runtime.xs.exists(s, s.matches("^b"))', { runtime: { xs: ["a", "bc"] } })).toBe(
      true,
    );
  });

  it("a pattern from run data that does not compile is a clear evaluation error", () => {
    const error = failure(() =>
      evaluateCondition("runtime.x.matches(runtime.y)", { runtime: { x: "a", y: "(a)\\1" } }),
    );
    expect(error.message).toMatch(/matches\(\) pattern "\(a\)\\\\1" is not a regular expression RE2 can run/);
    expect(failure(() => evaluateCondition("runtime.x.matches('a')", { runtime: { x: 3 } })).message).toMatch(
      /needs a string/,
    );
  });

  it("a literal pattern RE2 cannot run, or a non-string argument, is refused when checked", () => {
    expect(parseExpression('runtime.x.matches("(?=a)")')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/RE2/),
    });
    expect(parseExpression("runtime.x.matches(1)")).toMatchObject({ ok: false });
    expect(parseExpression("1.matches('a')")).toMatchObject({ ok: false });
    expect(parseExpression('"abc".matches("^a")')).toEqual({ ok: true, type: "bool" });
  });
});

describe("the match input cap", () => {
  it("never runs a pattern on text over MAX_MATCH_INPUT characters: it does not match", () => {
    const slow = "(a|b)*a(a|b){20}c";
    expect(patternFinds(slow, `${"ab".repeat(100)}a${"a".repeat(20)}c`)).toBe(true);
    expect(patternFinds(".*", "x".repeat(MAX_MATCH_INPUT))).toBe(true);
    expect(patternFinds(".*", "x".repeat(MAX_MATCH_INPUT + 1))).toBe(false);
    expect(patternFinds(slow, "ab".repeat(MAX_MATCH_INPUT))).toBe(false);
  });
});

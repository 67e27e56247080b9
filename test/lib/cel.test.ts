import { describe, expect, it } from "vitest";
import {
  compileExpression,
  ExpressionError,
  evaluateCondition,
  evaluateExpression,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
} from "../../src/lib/cel";
import { isAppError } from "../../src/lib/errors";

const runtime = { score: 85, tags: ["urgent", "billing"], draft: { title: "Hello", score: 90 } };

/** The ExpressionError an evaluation throws (fails the test when it does not throw one). */
function failure(fn: () => unknown): ExpressionError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    expect(isAppError(e) && e.code).toBe("bad_request");
    return e as ExpressionError;
  }
  throw new Error("expected an ExpressionError");
}

describe("conditions users write", () => {
  it("compares numbers from JSON data", () => {
    expect(evaluateCondition("runtime.score > 80", { runtime })).toBe(true);
    expect(evaluateCondition("runtime.score > 80", { runtime: { score: 80 } })).toBe(false);
    expect(evaluateCondition("runtime.score == 85", { runtime })).toBe(true);
    expect(evaluateCondition("runtime.score > 80.5", { runtime })).toBe(true);
  });

  it("checks lists with size() and in", () => {
    const expr = "size(runtime.tags) > 0 && 'urgent' in runtime.tags";
    expect(evaluateCondition(expr, { runtime })).toBe(true);
    expect(evaluateCondition(expr, { runtime: { tags: ["billing"] } })).toBe(false);
    expect(evaluateCondition(expr, { runtime: { tags: [] } })).toBe(false);
  });

  it("reads static, profile and nested runtime values", () => {
    const vars = { static: { threshold: 80 }, profile: { role: "editor" }, runtime };
    expect(
      evaluateCondition("runtime.draft.score > static.threshold && profile.role == 'editor'", vars),
    ).toBe(true);
    expect(evaluateCondition("has(runtime.missing)", vars)).toBe(false);
  });

  it("mixes JSON numbers (doubles) with integer literals in arithmetic", () => {
    expect(evaluateExpression("runtime.score + 1", { runtime })).toBe(86);
    expect(evaluateExpression("2 * runtime.score", { runtime })).toBe(170);
    expect(evaluateCondition("size(runtime.tags) + runtime.score == 87", { runtime })).toBe(true);
  });

  it("returns plain numbers, never BigInt, also inside lists and maps", () => {
    expect(evaluateExpression("1 + 2", {})).toBe(3);
    expect(evaluateExpression("[1, [2, {'a': 3}], 'x']", {})).toEqual([1, [2, { a: 3 }], "x"]);
    expect(evaluateExpression("{'n': size(runtime.tags)}", { runtime })).toEqual({ n: 2 });
    expect(evaluateExpression("runtime.tags.map(t, size(t))", { runtime })).toEqual([6, 7]);
  });

  it("does not change the data it is given", () => {
    const data = { runtime: { tags: ["a"], nested: { n: 1 } } };
    const before = JSON.stringify(data);
    evaluateExpression("runtime.tags + ['b']", data);
    expect(JSON.stringify(data)).toBe(before);
  });
});

describe("failures are clear errors, never crashes", () => {
  it("a missing key names the key", () => {
    const error = failure(() => evaluateCondition("runtime.missing > 3", { runtime }));
    expect(error.message).toMatch(/No such key: missing/);
    expect(error.expression).toBe("runtime.missing > 3");
    expect(error.details?.[0]).toMatchObject({ expression: "runtime.missing > 3" });
  });

  it("a condition must give a boolean", () => {
    expect(failure(() => evaluateCondition("runtime.score", { runtime })).message).toMatch(
      /boolean, got number/,
    );
    expect(failure(() => evaluateCondition("runtime.tags", { runtime })).message).toMatch(/boolean/);
  });

  it("type errors and division by zero are reported", () => {
    expect(failure(() => evaluateExpression("runtime.tags > 1", { runtime })).message).toMatch(
      /no such overload/,
    );
    expect(failure(() => evaluateExpression("1 / 0", {})).message).toMatch(/division by zero/);
  });

  it("parseExpression reports syntax errors and unknown variables without throwing", () => {
    expect(parseExpression("runtime.score > 80")).toEqual({ ok: true, type: "bool" });
    expect(parseExpression("runtime.score >")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Unexpected/),
    });
    expect(parseExpression("score > 80")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Unknown variable/),
    });
    expect(parseExpression("")).toMatchObject({ ok: false, message: "is empty" });
  });

  it("compiled expressions are cached and reusable", () => {
    const compiled = compileExpression("runtime.score > 50");
    expect(compileExpression("runtime.score > 50")).toBe(compiled);
    expect(evaluateCondition(compiled, { runtime: { score: 51 } })).toBe(true);
    expect(evaluateCondition(compiled, { runtime: { score: 49 } })).toBe(false);
  });
});

describe("the sandbox", () => {
  it.each([
    "runtime.constructor",
    "runtime.__proto__",
    "runtime['constructor']",
    "runtime.tags.constructor",
    "runtime.draft.toString",
    "runtime.draft.hasOwnProperty",
    "static.__proto__",
  ])("%s does not reach JS prototypes", (expr) => {
    expect(failure(() => evaluateExpression(expr, { runtime })).message).toMatch(/No such key/);
  });

  it('"".constructor cannot be reached', () => {
    expect(failure(() => evaluateExpression('"".constructor', {})).message).toMatch(
      /Cannot index|No such key/,
    );
    expect(failure(() => evaluateExpression("(1).constructor", {})).message).toMatch(
      /Cannot index|No such key/,
    );
  });

  it("a __proto__ key in user data is plain data, not a prototype", () => {
    const data = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as Record<string, unknown>;
    expect(evaluateExpression("runtime.__proto__", { runtime: data })).toEqual({ admin: true });
    expect(failure(() => evaluateExpression("runtime.admin", { runtime: data })).message).toMatch(
      /No such key/,
    );
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it(`refuses expressions longer than ${MAX_EXPRESSION_LENGTH} characters`, () => {
    const long = `runtime.score > 1${" ".repeat(MAX_EXPRESSION_LENGTH)}`;
    expect(parseExpression(long)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/longer than 2000/),
    });
    expect(failure(() => evaluateCondition(long, { runtime })).message).toMatch(/longer than 2000/);
  });

  it("refuses deeply nested and very large expressions quickly", () => {
    const started = Date.now();
    const deep = `${"(".repeat(300)}1${")".repeat(300)}`;
    expect(parseExpression(deep)).toMatchObject({ ok: false, message: expect.stringMatching(/maxDepth/) });
    const lists = `${"[".repeat(200)}${"]".repeat(200)}`;
    expect(parseExpression(lists).ok).toBe(false);
    const wide = Array.from({ length: 600 }, () => "1").join("+");
    expect(parseExpression(wide)).toMatchObject({ ok: false, message: expect.stringMatching(/maxAstNodes/) });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("comprehension macros work and their nesting is limited", () => {
    expect(evaluateCondition("[1, 2, 3].all(x, x > 0)", {})).toBe(true);
    expect(evaluateCondition("runtime.tags.exists(t, t == 'urgent')", { runtime })).toBe(true);
    expect(evaluateExpression("runtime.tags.filter(t, t != 'urgent').map(t, t + '!')", { runtime })).toEqual([
      "billing!",
    ]);
    const triple = "[1, 2].all(x, [1, 2].all(y, [1, 2].all(z, x + y + z > 0)))";
    expect(parseExpression(triple)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/nests more than 2/),
    });
  });

  it("bounds comprehension work by the size of the data", () => {
    const nested = "runtime.items.all(x, runtime.items.exists(y, y == x))";
    const small = { items: Array.from({ length: 500 }, (_, i) => i) };
    expect(evaluateCondition(nested, { runtime: small })).toBe(true);
    const big = { items: Array.from({ length: 5000 }, (_, i) => i) };
    const started = Date.now();
    expect(failure(() => evaluateCondition(nested, { runtime: big })).message).toMatch(/too many steps/);
    expect(Date.now() - started).toBeLessThan(1000);
    // One level over a large list is fine: the work is linear.
    expect(evaluateCondition("runtime.items.all(x, x >= 0)", { runtime: big })).toBe(true);
  });

  it("refuses context data nested absurdly deep instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(failure(() => evaluateExpression("has(runtime.a)", { runtime: deep })).message).toMatch(
      /nested deeper/,
    );
  });
});

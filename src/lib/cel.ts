/**
 * CEL expressions (@marcbachmann/cel-js) over a run's `{static, profile, runtime}`: the only code a
 * workflow can run. Expressions are bounded in length, AST size, nesting and comprehension work.
 */
import { type ASTNode, Environment, type ParseResult } from "@marcbachmann/cel-js";
import { registerLinearMatches } from "./cel-matches";
import { fromCelValue, toCelInput } from "./cel-values";
import { AppError } from "./errors";

export const MAX_EXPRESSION_LENGTH = 2000;
/** Nested comprehensions (`all`, `exists`, `map`, ...) allowed inside one another. */
export const MAX_COMPREHENSION_NESTING = 2;
/** Upper bound on comprehension steps: (largest list or map)^(nesting). */
export const MAX_COMPREHENSION_STEPS = 1_000_000;

const VARIABLES = ["static", "profile", "runtime"] as const;
const COMPREHENSIONS = new Set(["all", "exists", "exists_one", "map", "filter"]);

/** The data an expression sees; each part is JSON data (missing parts are empty maps). */
export interface ExpressionVars {
  static?: unknown;
  profile?: unknown;
  runtime?: unknown;
}

/** A parsed, checked expression, reusable across evaluations. */
export interface CompiledExpression {
  readonly source: string;
  /** The statically inferred CEL type, e.g. "bool", "int" or "dyn" (known only at run time). */
  readonly type: string;
  readonly comprehensionNesting: number;
  readonly largestLiteralList: number;
  readonly run: ParseResult;
}

/** A CEL expression that cannot be compiled or evaluated; carries the expression for the user. */
export class ExpressionError extends AppError {
  readonly expression: string;

  constructor(expression: string, message: string) {
    super("bad_request", `Expression "${shorten(expression)}": ${message}`, [{ message, expression }]);
    this.name = "ExpressionError";
    this.expression = expression;
  }
}

let environment: Environment | undefined;
const cache = new Map<string, CompiledExpression>();
const MAX_CACHE = 500;

/** Built lazily so importing this module costs nothing in requests that never evaluate CEL. */
function celEnvironment(): Environment {
  if (environment) return environment;
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: 1000,
      maxDepth: 32,
      maxListElements: 1000,
      maxMapEntries: 1000,
      maxCallArguments: 16,
    },
  });
  for (const name of VARIABLES) env.registerVariable(name, "map");
  registerLinearMatches(env);
  // JSON numbers arrive as CEL doubles; without these, `runtime.score + 1` would be a type error.
  const ops: Record<string, (a: number, b: number) => number> = {
    "+": (a, b) => a + b,
    "-": (a, b) => a - b,
    "*": (a, b) => a * b,
    "/": (a, b) => a / b,
  };
  for (const [op, fn] of Object.entries(ops)) {
    env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => fn(a, Number(b)));
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  environment = env;
  return env;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split("\n")[0] ?? text).trim();
}

function shorten(expr: string): string {
  return expr.length > 80 ? `${expr.slice(0, 77)}...` : expr;
}

/** Parses and type-checks an expression without evaluating it. */
export function parseExpression(expr: string): { ok: true; type: string } | { ok: false; message: string } {
  try {
    return { ok: true, type: compileExpression(expr).type };
  } catch (e) {
    return {
      ok: false,
      message: e instanceof ExpressionError ? (e.details?.[0]?.message ?? e.message) : firstLine(e),
    };
  }
}

/** Compiles (and caches by source text) an expression; throws ExpressionError when it is invalid. */
export function compileExpression(expr: string): CompiledExpression {
  const cached = cache.get(expr);
  if (cached) return cached;
  if (typeof expr !== "string" || expr.trim() === "") throw new ExpressionError(String(expr), "is empty");
  if (expr.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(expr, `is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  let run: ParseResult;
  try {
    run = celEnvironment().parse(expr);
  } catch (e) {
    throw new ExpressionError(expr, firstLine(e));
  }
  const checked = run.check();
  if (!checked.valid) throw new ExpressionError(expr, firstLine(checked.error));
  const shape = measure(run.ast);
  if (shape.nesting > MAX_COMPREHENSION_NESTING) {
    throw new ExpressionError(
      expr,
      `nests more than ${MAX_COMPREHENSION_NESTING} comprehensions (all, exists, map, ...)`,
    );
  }
  const compiled: CompiledExpression = {
    source: expr,
    type: checked.type ?? "dyn",
    comprehensionNesting: shape.nesting,
    largestLiteralList: shape.largestList,
    run,
  };
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(expr, compiled);
  return compiled;
}

/** Evaluates an expression over `{static, profile, runtime}`; the result is plain JSON data. */
export function evaluateExpression(expr: string | CompiledExpression, vars: ExpressionVars): unknown {
  const compiled = typeof expr === "string" ? compileExpression(expr) : expr;
  let input: ReturnType<typeof toCelInput>;
  try {
    input = toCelInput({
      static: vars.static ?? {},
      profile: vars.profile ?? {},
      runtime: vars.runtime ?? {},
    });
  } catch (e) {
    throw new ExpressionError(compiled.source, firstLine(e));
  }
  if (compiled.comprehensionNesting > 0) {
    const width = Math.max(input.largestCollection, compiled.largestLiteralList, 1);
    if (width ** compiled.comprehensionNesting > MAX_COMPREHENSION_STEPS) {
      throw new ExpressionError(compiled.source, "would take too many steps over this much data");
    }
  }
  let result: unknown;
  try {
    result = compiled.run(input.value);
  } catch (e) {
    throw new ExpressionError(compiled.source, firstLine(e));
  }
  return fromCelValue(result);
}

/** Evaluates a condition; anything but a boolean result is an ExpressionError. */
export function evaluateCondition(expr: string | CompiledExpression, vars: ExpressionVars): boolean {
  const result = evaluateExpression(expr, vars);
  if (typeof result !== "boolean") {
    const source = typeof expr === "string" ? expr : expr.source;
    throw new ExpressionError(
      source,
      `must evaluate to a boolean, got ${result === null ? "null" : typeof result}`,
    );
  }
  return result;
}

/** Comprehension nesting depth and the largest list literal, from the parsed AST. */
function measure(root: ASTNode): { nesting: number; largestList: number } {
  let largestList = 0;
  const visit = (value: unknown): number => {
    if (Array.isArray(value)) return Math.max(0, ...value.map(visit));
    if (!isNode(value)) return 0;
    if (value.op === "list" && Array.isArray(value.args))
      largestList = Math.max(largestList, value.args.length);
    if (value.op === "rcall" && Array.isArray(value.args)) {
      // A chain `l.map(..).filter(..)` runs one after the other; only a body inside a body multiplies.
      const [name, receiver, callArgs] = value.args;
      const body = visit(callArgs);
      return Math.max(
        visit(receiver),
        typeof name === "string" && COMPREHENSIONS.has(name) ? body + 1 : body,
      );
    }
    return visit(value.args);
  };
  const nesting = visit(root);
  return { nesting, largestList };
}

function isNode(v: unknown): v is { op: string; args: unknown } {
  return typeof v === "object" && v !== null && "op" in v && "args" in v;
}

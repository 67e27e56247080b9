/**
 * CEL `string.matches(pattern)` on RE2 (lib/re2), replacing cel-js's own, which runs `new RegExp`:
 * the pattern can come from run data (`runtime.x.matches(runtime.y)`), so it must run in linear time.
 */
import type { Environment } from "@marcbachmann/cel-js";
import { PatternError, patternFinds, patternProblem } from "./re2";

/** The slice of cel-js's macro interface used here (its own types are `any`). */
interface Node {
  op: string;
  args: unknown;
}
interface Checker {
  check(node: Node, ctx: unknown): { kind: string; name: string };
  getType(name: string): unknown;
  createError(code: string, message: string, node: Node): Error;
}
interface Evaluator {
  run(node: Node, ctx: unknown): unknown;
  createError(code: string, message: string, node: Node): Error;
}
interface Call {
  call: Node;
  receiver: Node;
  pattern: Node;
}

/** A string, or a value only known at run time (checked again by evaluate). */
const maybeString = (type: { kind: string; name: string }): boolean =>
  type.kind === "dyn" || type.name === "string";

function typeCheck(checker: Checker, macro: Call, ctx: unknown): unknown {
  const receiver = checker.check(macro.receiver, ctx);
  const pattern = checker.check(macro.pattern, ctx);
  if (!maybeString(receiver) || !maybeString(pattern)) {
    const types = `${receiver.name}.matches(${pattern.name})`;
    throw checker.createError(
      "no_matching_overload",
      `found no matching overload for '${types}'`,
      macro.call,
    );
  }
  // A literal pattern is checked now, so a definition using one RE2 cannot run is refused at save.
  if (macro.pattern.op === "value" && typeof macro.pattern.args === "string") {
    const problem = patternProblem(macro.pattern.args);
    if (problem)
      throw checker.createError(
        "invalid_regular_expression",
        message(macro.pattern.args, problem),
        macro.call,
      );
  }
  return checker.getType("bool");
}

function evaluate(ev: Evaluator, macro: Call, ctx: unknown): boolean {
  const text = ev.run(macro.receiver, ctx);
  const pattern = ev.run(macro.pattern, ctx);
  if (typeof text !== "string" || typeof pattern !== "string") {
    const got = `${typeof text} and ${typeof pattern}`;
    throw ev.createError(
      "no_matching_overload",
      `matches() needs a string and a string pattern, got ${got}`,
      macro.call,
    );
  }
  try {
    return patternFinds(pattern, text);
  } catch (e) {
    if (!(e instanceof PatternError)) throw e;
    throw ev.createError("invalid_regular_expression", message(pattern, e.problem), macro.call);
  }
}

function message(pattern: string, problem: string): string {
  const shown = pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern;
  return `matches() pattern ${JSON.stringify(shown)} ${problem}`;
}

/**
 * Registers `matches` as a macro: cel-js picks a macro by name and arity when parsing, before any
 * overload, so this one serves every `x.matches(y)` and the built-in backtracking overload never runs.
 * The receiver type in the signature only has to differ from the built-in's `string` (cel-js refuses
 * overlapping signatures); typeCheck accepts string (or dyn) receivers and patterns only.
 */
export function registerLinearMatches(env: Environment): void {
  env.registerFunction("bytes.matches(ast): bool", (opts: { ast: Node; receiver: Node; args: Node[] }) => ({
    call: opts.ast,
    receiver: opts.receiver,
    pattern: opts.args[0],
    typeCheck,
    evaluate,
    async: false,
  }));
}

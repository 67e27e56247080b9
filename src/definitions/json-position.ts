/**
 * Where a JSON text stops being JSON. The runtime's JSON.parse message carries no position, and a
 * user with a 2,000-line definition needs one. Iterative, so deep nesting cannot overflow the stack.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const WHITESPACE = /[ \t\n\r]*/y;

/** The offset of the first syntax error in `text`, or undefined when it is valid JSON. */
export function jsonErrorOffset(text: string): number | undefined {
  const stack: string[] = [];
  let i = 0;
  const skip = () => {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
  };
  const token = (pattern: RegExp): boolean => {
    pattern.lastIndex = i;
    if (!pattern.test(text)) return false;
    i = pattern.lastIndex;
    return true;
  };
  let state: "value" | "key" | "after" = "value";
  for (;;) {
    skip();
    const c = text[i];
    if (state === "value") {
      if (c === "{" || c === "[") {
        stack.push(c);
        i++;
        skip();
        if (text[i] === (c === "{" ? "}" : "]")) {
          i++;
          stack.pop();
          state = "after";
        } else {
          state = c === "{" ? "key" : "value";
        }
      } else if (token(STRING) || token(NUMBER) || token(LITERAL)) {
        state = "after";
      } else {
        return i;
      }
    } else if (state === "key") {
      if (!token(STRING)) return i;
      skip();
      if (text[i] !== ":") return i;
      i++;
      state = "value";
    } else {
      const top = stack.at(-1);
      if (top === undefined) return i === text.length ? undefined : i;
      if (c === ",") {
        i++;
        state = top === "{" ? "key" : "value";
      } else if (c === (top === "{" ? "}" : "]")) {
        i++;
        stack.pop();
      } else {
        return i;
      }
    }
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

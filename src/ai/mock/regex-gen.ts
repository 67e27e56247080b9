/**
 * Generates strings from simple regular expressions (`^[A-Z]{3}-\d{4}$`, `^(foo|bar)_[a-z0-9]+$`, ...):
 * literals, classes, escapes, groups, alternation and quantifiers. Lookarounds and back-references are
 * not supported (`null` is returned); callers always re-test the result with the pattern engine (lib/re2).
 */
import type { Rng } from "./prng";

type Node =
  | { t: "chars"; set: string[] }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; options: Node[] }
  | { t: "rep"; node: Node; min: number; max: number };

class Unsupported extends Error {}

const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out.push(String.fromCharCode(c));
  return out;
};
const DIGITS = range("0", "9");
const LOWER = range("a", "z");
const UPPER = range("A", "Z");
const WORD = [...LOWER, ...UPPER, ...DIGITS, "_"];
const PRINTABLE = range(" ", "~");
/** Beyond this many repetitions, an unbounded quantifier (`*`, `+`, `{n,}`) stops growing. */
const UNBOUNDED_EXTRA = 4;

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alt();
    if (this.i < this.src.length) throw new Unsupported(`unexpected ${this.src[this.i]}`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alt(): Node {
    const options = [this.seq()];
    while (this.peek() === "|") {
      this.i++;
      options.push(this.seq());
    }
    return options.length === 1 ? (options[0] as Node) : { t: "alt", options };
  }

  private seq(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== "|" && c !== ")"; c = this.peek()) {
      if (c === "^" || c === "$") {
        this.i++;
        continue;
      }
      items.push(this.quantified(this.atom()));
    }
    return { t: "seq", items };
  }

  private atom(): Node {
    const c = this.src[this.i++];
    if (c === "(") {
      const head = /^\?(:|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(this.src.slice(this.i))?.[0] ?? "";
      if (head === "" && this.peek() === "?") throw new Unsupported("unknown group");
      this.i += head.length;
      const inner = this.alt();
      if (this.src[this.i++] !== ")") throw new Unsupported("unclosed group");
      // Lookarounds generate nothing themselves; the caller's re-test catches a value they reject.
      return ["?=", "?!", "?<=", "?<!"].includes(head) ? { t: "seq", items: [] } : inner;
    }
    if (c === "[") return this.cls();
    if (c === ".") return { t: "chars", set: [...LOWER, ...DIGITS] };
    if (c === "\\") return { t: "chars", set: this.escape(false) };
    if (c === undefined || c === "*" || c === "+" || c === "?") throw new Unsupported("dangling quantifier");
    return { t: "chars", set: [c] };
  }

  private escape(inClass: boolean): string[] {
    const c = this.src[this.i++];
    switch (c) {
      case "d":
        return DIGITS;
      case "w":
        return WORD;
      case "s":
        return [" "];
      case "D":
      case "S":
        return LOWER;
      case "W":
        return ["-", " "];
      case "t":
        return ["\t"];
      case "n":
        return ["\n"];
      case "r":
        return ["\r"];
      case "b":
        if (inClass) return ["\b"];
        throw new Unsupported("word boundary");
      case "p":
      case "P":
        return this.property(c === "P");
      case "u":
      case "x": {
        const hex = this.src
          .slice(this.i)
          .match(c === "u" ? /^(\{[0-9a-f]+\}|[0-9a-f]{4})/i : /^[0-9a-f]{2}/i);
        if (!hex) throw new Unsupported("bad escape");
        this.i += hex[0].length;
        return [String.fromCodePoint(Number.parseInt(hex[0].replace(/[{}]/g, ""), 16))];
      }
      case undefined:
        throw new Unsupported("trailing backslash");
      default:
        if (/[1-9]/.test(c)) throw new Unsupported("back-reference");
        return [c];
    }
  }

  /** `\p{Lu}`, `\p{L}`, `\p{N}`, ...: ASCII stand-ins for the common Unicode properties. */
  private property(negated: boolean): string[] {
    const m = /^\{([A-Za-z_=]+)\}/.exec(this.src.slice(this.i));
    if (!m) throw new Unsupported("bad property escape");
    this.i += m[0].length;
    const name = (m[1] as string).replace(/^(General_Category|gc)=/, "");
    const sets: Record<string, string[]> = {
      Lu: UPPER,
      Uppercase_Letter: UPPER,
      Ll: LOWER,
      Lowercase_Letter: LOWER,
      L: [...LOWER, ...UPPER],
      Letter: [...LOWER, ...UPPER],
      Alphabetic: [...LOWER, ...UPPER],
      N: DIGITS,
      Nd: DIGITS,
      Number: DIGITS,
    };
    const set = sets[name];
    if (!set) throw new Unsupported(`property ${name}`);
    return negated ? PRINTABLE.filter((ch) => !set.includes(ch) && ch !== " ") : set;
  }

  private cls(): Node {
    const negated = this.peek() === "^";
    if (negated) this.i++;
    const set = new Set<string>();
    let first = true;
    while (this.peek() !== "]" || first) {
      first = false;
      const c = this.src[this.i++];
      if (c === undefined) throw new Unsupported("unclosed class");
      const chars = c === "\\" ? this.escape(true) : [c];
      if (chars.length === 1 && this.peek() === "-" && this.src[this.i + 1] !== "]" && this.src[this.i + 1]) {
        this.i++;
        const toRaw = this.src[this.i++] as string;
        const to = toRaw === "\\" ? this.escape(true) : [toRaw];
        if (to.length !== 1) throw new Unsupported("class range to a class");
        for (const r of range(chars[0] as string, to[0] as string)) set.add(r);
      } else {
        for (const ch of chars) set.add(ch);
      }
    }
    this.i++;
    const list = negated ? PRINTABLE.filter((ch) => !set.has(ch)) : [...set];
    if (list.length === 0) throw new Unsupported("empty class");
    return { t: "chars", set: list };
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      this.i++;
      min = c === "+" ? 1 : 0;
      max = c === "?" ? 1 : Number.POSITIVE_INFINITY;
    } else if (c === "{") {
      const m = this.src.slice(this.i).match(/^\{(\d+)(,(\d*))?\}/);
      if (!m) return node; // A literal "{", as JavaScript reads it without the u flag.
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
    } else {
      return node;
    }
    if (this.peek() === "?") this.i++; // Lazy or greedy generates the same strings.
    return this.quantified({ t: "rep", node, min, max });
  }
}

function emit(node: Node, rng: Rng, out: string[]): void {
  switch (node.t) {
    case "chars":
      out.push(rng.pick(node.set));
      return;
    case "seq":
      for (const item of node.items) emit(item, rng, out);
      return;
    case "alt":
      emit(rng.pick(node.options), rng, out);
      return;
    case "rep": {
      const count = rng.int(node.min, Math.min(node.max, node.min + UNBOUNDED_EXTRA));
      for (let k = 0; k < count; k++) emit(node.node, rng, out);
      return;
    }
  }
}

/** A string the pattern (probably) matches, or `null` when the pattern uses unsupported syntax. */
export function generateFromPattern(pattern: string, rng: Rng): string | null {
  let ast: Node;
  try {
    ast = new Parser(pattern).parse();
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
  const out: string[] = [];
  emit(ast, rng, out);
  return out.join("");
}

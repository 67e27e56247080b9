/** Conversions between Scaff's JSON data and CEL values, kept apart so cel.ts stays about evaluation. */

/** Nesting deeper than this in a run's context is refused rather than risking the stack. */
const MAX_DEPTH = 64;

export interface CelInput {
  value: Record<string, unknown>;
  /** The largest list or map found, for the comprehension budget. */
  largestCollection: number;
}

/**
 * Deep-copies JSON data into prototype-free objects, so no expression can reach `constructor`,
 * `__proto__` or any other JS property that is not the data's own.
 */
export function toCelInput(vars: Record<string, unknown>): CelInput {
  const state = { largestCollection: 0 };
  const value = copy(vars, 0, state) as Record<string, unknown>;
  return { value, largestCollection: state.largestCollection };
}

function copy(v: unknown, depth: number, state: { largestCollection: number }): unknown {
  if (depth > MAX_DEPTH) throw new Error(`context is nested deeper than ${MAX_DEPTH} levels`);
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error("context holds a number that is not finite");
    return v;
  }
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) {
    state.largestCollection = Math.max(state.largestCollection, v.length);
    return v.map((item) => copy(item ?? null, depth + 1, state));
  }
  if (typeof v === "object") {
    const out: Record<string, unknown> = Object.create(null);
    const entries = Object.entries(v as object).filter(([, item]) => item !== undefined);
    state.largestCollection = Math.max(state.largestCollection, entries.length);
    for (const [key, item] of entries) {
      // defineProperty: a key named "__proto__" stays a plain data key.
      Object.defineProperty(out, key, {
        value: copy(item, depth + 1, state),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  // undefined, functions, symbols: not data.
  return null;
}

/** Turns a CEL result into plain JSON-like data: BigInts become numbers, maps become objects. */
export function fromCelValue(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return null;
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((item) => fromCelValue(item, depth + 1));
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Array.from(v);
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of v) setOwn(out, String(key), fromCelValue(item, depth + 1));
    return out;
  }
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto === null || proto === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) setOwn(out, key, fromCelValue(item, depth + 1));
      return out;
    }
    // CEL's own value classes (uint, duration, type): numbers where they are numbers, else text.
    const primitive = (v as { valueOf(): unknown }).valueOf();
    if (typeof primitive === "bigint" || typeof primitive === "number") return Number(primitive);
    const inner = (v as { value?: unknown }).value;
    if (typeof inner === "bigint" || typeof inner === "number") return Number(inner);
  }
  return String(v);
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

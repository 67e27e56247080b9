/**
 * Context paths such as `runtime.draft.title`, `profile.email`, `static.policy`: what an approval's
 * `show` lists. One grammar, read by the save-time rule and by the page that shows the values.
 */

/** The parts of the run's context a path may read; `secrets` and `run` are never context. */
export const CONTEXT_ROOTS = ["runtime", "profile", "static"] as const;
export type ContextRoot = (typeof CONTEXT_ROOTS)[number];

/** Keys below the root: names, header names (`x-request-id`) and list indexes (`items.0`). */
const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** Deeper than this is a data dump, not a value to decide on. */
export const MAX_PATH_KEYS = 8;
/** Most paths one approval shows: enough to decide, not the whole run. */
export const MAX_SHOW_PATHS = 20;

export type ContextPath = { ok: true; root: ContextRoot; keys: string[] } | { ok: false; message: string };

const isRoot = (s: string): s is ContextRoot => (CONTEXT_ROOTS as readonly string[]).includes(s);

/** Splits a path into its root and keys, or says what is wrong with it. */
export function parseContextPath(path: string): ContextPath {
  const [root = "", ...keys] = path.split(".");
  if (!isRoot(root)) {
    return { ok: false, message: `must start with ${CONTEXT_ROOTS.map((r) => `${r}.`).join(", ")}` };
  }
  if (keys.length === 0) return { ok: false, message: `name a value inside ${root}, e.g. ${root}.topic` };
  if (keys.length > MAX_PATH_KEYS) {
    return { ok: false, message: `is nested too deeply (at most ${MAX_PATH_KEYS} keys after ${root})` };
  }
  const bad = keys.find((k) => !KEY_PATTERN.test(k));
  if (bad !== undefined) {
    return {
      ok: false,
      message: `key "${bad}" must be 1 to 64 letters, digits, _ or -, separated by single dots`,
    };
  }
  const proto = keys.find((k) => PROTOTYPE_KEYS.has(k));
  if (proto !== undefined) return { ok: false, message: `key "${proto}" is not a value of the context` };
  return { ok: true, root, keys };
}

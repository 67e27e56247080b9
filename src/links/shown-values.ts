/** The values an approval page shows: those at its step's `show` paths, each labelled by its path. */
import { parseContextPath } from "../definitions/context-path";
import type { RunContext } from "../engine/state";
import type { LabeledValue } from "../html";
import { isPlainObject } from "../lib/objects";
import { displayText, truncate } from "./display-text";

/** What a listed path shows when the run has no value there (yet). */
export const NOT_SET = "(not set)";

/** The value at `keys` below `root`, reading own properties only; undefined when absent. */
function valueAt(root: unknown, keys: string[]): unknown {
  let node = root;
  for (const key of keys) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(key)) node = node[Number(key)];
    else if (isPlainObject(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

/**
 * One item per `show` path, in the step's order, labelled by the path; nothing for a path the
 * grammar refuses (saved definitions have none). No path, no values: the page shows nothing else.
 */
export function shownValues(context: RunContext, show: readonly string[] = []): LabeledValue[] {
  const items: LabeledValue[] = [];
  for (const path of show) {
    const parsed = parseContextPath(path);
    if (!parsed.ok) continue;
    const text = displayText(valueAt(context[parsed.root], parsed.keys));
    items.push({ label: path, value: text === undefined ? NOT_SET : truncate(text) });
  }
  return items;
}

/**
 * YAML (and JSON) sources: parsing with line/column errors, and locating any definition path in the
 * source so every issue, semantic ones too, points at its line.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from "yaml";
import type { PathSegment, RawIssue } from "./issues";

/** Each alias may be expanded at most this often: stops "billion laughs" documents cheaply. */
export const MAX_YAML_ALIASES = 50;

export interface Position {
  line: number;
  column: number;
}

export type Locator = (issue: RawIssue) => Position | undefined;

export type YamlRead =
  | { ok: true; value: unknown; locate: Locator }
  | { ok: false; errors: Array<{ message: string } & Partial<Position>> };

type Doc = ReturnType<typeof parseDocument>;

/** Parses one YAML document strictly: syntax errors, duplicate keys and unknown tags are errors. */
export function readYaml(text: string): YamlRead {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    version: "1.2",
    schema: "core",
    merge: false,
  });
  // Unknown tags (`!!js/function`, `!custom`) are never executed; they are refused, not silently dropped.
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) return { ok: false, errors: problems.map((e) => describe(e)) };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, errors: [{ message: `YAML could not be read: ${message}` }] };
  }
  return { ok: true, value, locate: locator(doc, lineCounter) };
}

/** Locations for a JSON source: JSON is YAML 1.2 flow syntax, so the same locator works. */
export function jsonLocator(text: string): Locator | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, version: "1.2", schema: "json" });
  return doc.errors.length > 0 ? undefined : locator(doc, lineCounter);
}

function describe(e: YAMLError): { message: string } & Partial<Position> {
  // prettyErrors appends a source excerpt after the first line; the position travels separately.
  const first = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
  const at = e.linePos?.[0];
  const prefix = e.name === "YAMLWarning" ? "YAML" : "YAML syntax error";
  return { message: `${prefix}: ${first}`, ...(at ? { line: at.line, column: at.col } : {}) };
}

function locator(doc: Doc, lineCounter: LineCounter): Locator {
  return (issue) => {
    const offset = offsetOf(doc, issue.path, issue.atKey === true);
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
}

/** The source offset of the deepest node on `path` (the parent when a key is missing). */
function offsetOf(doc: Doc, path: readonly PathSegment[], atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      if ((last && atKey) || pair.value === null) {
        offset = rangeStart(pair.key) ?? offset;
        if (pair.value === null) break;
        node = pair.value;
        continue;
      }
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(String(segment))) {
      node = node.items[Number(segment)];
      if (node === undefined) break;
    } else {
      break;
    }
    offset = rangeStart(node) ?? offset;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}

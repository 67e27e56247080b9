/**
 * Reads a posted schema form (schema-fields.ts) back into the object it edits. Values are coerced by
 * the schema's types (numbers parsed, a ticked box true, blanks absent); what cannot be coerced is
 * kept as typed, so the shared validator reports it at its path. A JSON editor that does not parse is
 * reported here, by path, before anything reaches the run.
 */
import { isPlainObject } from "../lib/objects";
import { controlName, errorKey, type SchemaField } from "./schema-fields";

/** What a posted page read as: the object, and the JSON editors that did not parse (keyed like 422 paths). */
export interface PostedOutput {
  output: unknown;
  problems: Record<string, string>;
}

const ABSENT = Symbol("absent");

/** The posted strings of every control, by control name: shown again after a refused submit. */
export function postedStrings(form: FormData): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string" || !name.startsWith("o")) continue;
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/**
 * The edited object a posted form carries, with JSON problems keyed `output.<path>`. `original` is the
 * output the page showed: a blank optional string it held stays an empty string, not a removal.
 */
export function readSchemaForm(root: SchemaField, form: FormData, original?: unknown): PostedOutput {
  const problems: Record<string, string> = Object.create(null);
  const value = readNode(root, form, problems, original);
  return { output: value === ABSENT ? {} : value, problems };
}

function readNode(
  node: SchemaField,
  form: FormData,
  problems: Record<string, string>,
  original: unknown,
): unknown {
  const name = controlName(node.path);
  const raw = form.get(name);
  const text = typeof raw === "string" ? raw : "";
  switch (node.kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      const before = isPlainObject(original) ? original : {};
      for (const child of node.children) {
        const key = String(child.path.at(-1));
        const v = readNode(child, form, problems, Object.hasOwn(before, key) ? before[key] : undefined);
        if (v !== ABSENT) out[key] = v;
      }
      return out;
    }
    case "boolean":
      // An unticked box the output never had stays absent: unticked means "not set" there, not an edit.
      if (text !== "true" && original === undefined && !node.required) return ABSENT;
      return text === "true";
    case "list":
      return form
        .getAll(name)
        .filter((v): v is string => typeof v === "string" && v.trim() !== "")
        .map((v) => (node.item === "string" ? v : numberOrText(v)));
    case "number":
      return text.trim() === "" ? ABSENT : numberOrText(text);
    case "enum":
      if (text === "") return ABSENT;
      return node.options.find((o) => JSON.stringify(o) === text) ?? text;
    case "json":
      if (text.trim() === "") return ABSENT;
      try {
        return JSON.parse(text);
      } catch (e) {
        problems[errorKey(node)] =
          `This is not valid JSON (${e instanceof Error ? e.message : "parse error"}).`;
        return text;
      }
    case "text":
      // A blank optional string is left out; a blank required one is sent so its rules are reported.
      return text === "" && !node.required && original !== "" ? ABSENT : text;
  }
}

function numberOrText(text: string): number | string {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(n) ? n : text;
}

/**
 * A step's schema as providers send it. OpenAI's strict mode and Anthropic's tool input both need an
 * object at the root and a name of `^[a-zA-Z0-9_-]{1,64}$`. A step whose schema
 * is an array, a string, ... is sent wrapped as `{value: <schema>}` and the answer is unwrapped again
 * before anything parses or validates it.
 */
import type { JsonSchema } from "./types";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The name providers accept for a schema or tool, from the step id. */
export function schemaNameFor(name: string | undefined): string {
  const clean = (name ?? "").replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return clean || "output";
}

/** The property a wrapped answer carries its value in. */
export const WRAP_KEY = "value";
/** A `$ref` that points anywhere but `$defs`/`definitions` would break once the root moves. */
const ROOTED_REF = /"\$ref":"#(?!\/\$defs\/|\/definitions\/)/;

export interface RootShape {
  schema: Obj;
  wrapped: boolean;
}

/** `schema` as it can be sent with an object root: itself, or wrapped (its `$defs` lifted to the wrapper). */
export function objectRoot(schema: JsonSchema): RootShape {
  if (isObj(schema) && (schema.type === "object" || isObj(schema.properties)) && !("anyOf" in schema)) {
    return { schema, wrapped: false };
  }
  const inner: Obj = isObj(schema) ? { ...schema } : {};
  if (!isObj(schema) || ROOTED_REF.test(JSON.stringify(schema))) return { schema: inner, wrapped: false };
  const lifted: Obj = {};
  for (const key of ["$defs", "definitions"]) {
    if (key in inner) {
      lifted[key] = inner[key];
      delete inner[key];
    }
  }
  delete inner.$schema;
  const wrapper: Obj = {
    type: "object",
    properties: { [WRAP_KEY]: inner },
    required: [WRAP_KEY],
    additionalProperties: false,
    ...lifted,
  };
  return { schema: wrapper, wrapped: true };
}

/** The answer's own value when it was wrapped; the text unchanged when it was not (or is not JSON). */
export function unwrapText(text: string, wrapped: boolean): string {
  if (!wrapped) return text;
  try {
    const parsed = JSON.parse(text) as unknown;
    return isObj(parsed) && WRAP_KEY in parsed ? JSON.stringify(parsed[WRAP_KEY]) : text;
  } catch {
    return text;
  }
}

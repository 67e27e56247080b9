/**
 * The workflow format as JSON Schema 2020-12, generated from the zod model, for editors
 * (`# yaml-language-server: $schema=…`). It checks shapes only: cross-step rules (step targets,
 * reachability, CEL, templates) stay with the validator, which the schema never contradicts: what the
 * validator accepts, the schema accepts.
 */
import { z } from "zod";
import { definitionSchema } from "./schema";

type Node = Record<string, unknown>;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const DURATION_KEYS = new Set(["timeout", "remind_after"]);
const DURATION = {
  type: "string",
  pattern: "^\\s*(\\d{1,9}(ms|w|d|h|m|s))+\\s*$",
  description:
    "A duration: a number and a unit (ms, s, m, h, d, w), largest unit first, e.g. 30s, 12h, 1h30m",
};

/** The JSON Schema of a workflow definition as written (YAML or JSON), before defaults and conversions. */
export function workflowJsonSchema(): Node {
  const generated = z.toJSONSchema(definitionSchema, {
    target: "draft-2020-12",
    io: "input",
    // Refinements and custom checks have no JSON Schema form; the validator still applies them.
    unrepresentable: "any",
  }) as Node;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: "Scaff workflow",
    description:
      "A Scaff workflow definition. Shapes only: step targets, reachability, CEL and templates are checked by `scaff validate` and the API.",
    ...(adjust(rest) as Node),
  };
}

/** Relaxes what the zod input form states too narrowly, and names the duration format. */
function adjust(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => adjust(item));
  if (typeof value !== "object" || value === null) return value;
  const node = value as Node;
  // The method is upper-cased before it is checked, so `get` is as valid as `GET`.
  if (Array.isArray(node.enum) && node.enum.join() === METHODS.join()) {
    return { ...node, enum: [...METHODS, ...METHODS.map((m) => m.toLowerCase())] };
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === "properties" ? adjustProperties(v as Node) : adjust(v);
  }
  return out;
}

function adjustProperties(properties: Node): Node {
  const out: Node = {};
  for (const [name, schema] of Object.entries(properties)) {
    const isDuration = DURATION_KEYS.has(name) && (schema as Node).type === "string";
    out[name] = isDuration ? DURATION : adjust(schema);
  }
  return out;
}

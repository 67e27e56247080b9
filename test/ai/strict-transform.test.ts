import { describe, expect, it } from "vitest";
import { requestShape } from "../../src/ai/openai-provider";
import { dropAbsentNulls } from "../../src/ai/strict-nulls";
import { isStrictCompatible } from "../../src/ai/strict-schema";
import { nullable, toStrictSchema } from "../../src/ai/strict-transform";
import type { JsonSchema } from "../../src/ai/types";
import { objectRoot, unwrapText } from "../../src/ai/wire-schema";
import { compileSchema } from "../../src/lib/json-schema";

/** The value at a path of keys in a plain JSON value. */
const at = (v: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], v);

/** What a step author writes: optional properties, string limits, a format strict mode lacks. */
const article: JsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["title", "author"],
  properties: {
    title: { type: "string", minLength: 5, maxLength: 80, description: "Headline" },
    author: { $ref: "#/$defs/person" },
    link: { type: "string", format: "uri" },
    tone: { type: "string", enum: ["dry", "warm"] },
    tags: { type: "array", items: { type: "string", maxLength: 20 }, uniqueItems: true },
  },
  $defs: {
    person: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string" }, email: { type: "string", format: "email" } },
    },
  },
};

const strictOf = (schema: JsonSchema) => {
  const t = toStrictSchema(schema);
  if (!t.ok) throw new Error(t.problems.join("; "));
  return t.schema;
};

describe("toStrictSchema (OpenAI's strict subset)", () => {
  it("moves unsupported keywords into description, closes objects, requires every property", () => {
    const s = strictOf(article);
    expect(at(s, "$schema")).toBeUndefined();
    expect(at(s, "additionalProperties")).toBe(false);
    expect(at(s, "required")).toEqual(["title", "author", "link", "tone", "tags"]);
    expect(at(s, "properties", "title")).toEqual({
      type: "string",
      description: "Headline (minLength: 5, maxLength: 80)",
    });
    expect(at(s, "properties", "link")).toEqual({ type: ["string", "null"], description: '(format: "uri")' });
    expect(at(s, "properties", "tone")).toEqual({ type: ["string", "null"], enum: ["dry", "warm", null] });
    expect(at(s, "properties", "tags", "type")).toEqual(["array", "null"]);
    expect(at(s, "properties", "tags", "items")).toEqual({ type: "string", description: "(maxLength: 20)" });
    expect(at(s, "properties", "author")).toEqual({ $ref: "#/$defs/person" });
    expect(at(s, "$defs", "person")).toMatchObject({
      additionalProperties: false,
      required: ["name", "email"],
      properties: { email: { type: ["string", "null"], format: "email" } },
    });
    expect(isStrictCompatible(s)).toBe(true);
  });

  it("keeps what strict mode supports and turns oneOf into anyOf", () => {
    const s = strictOf({
      type: "object",
      required: ["v"],
      properties: {
        v: {
          oneOf: [
            { type: "integer", minimum: 1 },
            { type: "string", pattern: "^x" },
          ],
        },
      },
    });
    expect(at(s, "properties", "v")).toEqual({
      anyOf: [
        { type: "integer", minimum: 1 },
        { type: "string", pattern: "^x" },
      ],
    });
  });

  it("makes an optional $ref, anyOf or const nullable through anyOf", () => {
    expect(nullable({ $ref: "#/$defs/a" })).toEqual({ anyOf: [{ $ref: "#/$defs/a" }, { type: "null" }] });
    expect(nullable({ anyOf: [{ type: "string" }] })).toEqual({
      anyOf: [{ type: "string" }, { type: "null" }],
    });
    expect(nullable({ type: "string", const: "x" })).toEqual({
      anyOf: [{ type: "string", const: "x" }, { type: "null" }],
    });
    expect(nullable({ type: ["string", "null"] })).toEqual({ type: ["string", "null"] });
  });

  it("reports what cannot be made strict, so the provider falls back to JSON mode", () => {
    const maps = toStrictSchema({
      type: "object",
      properties: { a: { type: "string" } },
      patternProperties: { "^x-": { type: "string" } },
    });
    expect(maps).toEqual({ ok: false, problems: ['/: keyword "patternProperties" is not supported'] });
    for (const schema of [
      { type: "object", additionalProperties: { type: "number" } },
      { type: "object", properties: { a: { allOf: [{ type: "string" }] } } },
      { type: "object", properties: { a: { not: { type: "string" } } } },
      { type: "object", properties: { a: {} } },
    ]) {
      expect(toStrictSchema(schema).ok).toBe(false);
    }
  });

  it("is pure: the step's schema is not changed", () => {
    const before = JSON.stringify(article);
    strictOf(article);
    expect(JSON.stringify(article)).toBe(before);
  });
});

describe("dropAbsentNulls (optional → nullable, undone before validating the original)", () => {
  const validate = compileSchema(article);

  it("drops the nulls a strict answer gives for absent optional properties, nested and behind $ref", () => {
    const answer = {
      title: "Queues in practice",
      author: { name: "Ada", email: null },
      link: null,
      tone: null,
      tags: null,
    };
    expect(validate(answer).valid).toBe(false);
    const stripped = dropAbsentNulls(answer, article);
    expect(stripped).toEqual({ title: "Queues in practice", author: { name: "Ada" } });
    expect(validate(stripped)).toEqual({ valid: true });
    expect(answer.link).toBeNull();
  });

  it("keeps a key named __proto__ as data, never as the answer's prototype", () => {
    const answer = JSON.parse(
      '{"title": "t", "__proto__": {"polluted": "yes"}, "author": {"name": "A", "__proto__": 1}}',
    );
    const stripped = dropAbsentNulls(answer, article) as Record<string, unknown>;
    expect(Object.getPrototypeOf(stripped)).toBe(Object.prototype);
    expect(Object.keys(stripped)).toContain("__proto__");
    expect((stripped as { polluted?: string }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(stripped.author)).toBe(Object.prototype);
  });

  it("keeps a null the original allows, a null for a required property, and unknown keys", () => {
    const schema: JsonSchema = {
      type: "object",
      required: ["a"],
      properties: { a: { type: "string" }, b: { type: ["string", "null"] }, c: {} },
    };
    expect(dropAbsentNulls({ a: null, b: null, c: null, d: null }, schema)).toEqual({
      a: null,
      b: null,
      c: null,
      d: null,
    });
  });

  it("walks array items", () => {
    const schema: JsonSchema = {
      type: "array",
      items: { type: "object", properties: { n: { type: "integer" } } },
    };
    expect(dropAbsentNulls([{ n: null }, { n: 2 }], schema)).toEqual([{}, { n: 2 }]);
  });
});

describe("schemas with a root that is not an object", () => {
  it("are sent wrapped as {value: ...} (strict), $defs lifted, and the answer unwrapped", () => {
    const list: JsonSchema = {
      type: "array",
      items: { $ref: "#/$defs/t" },
      $defs: { t: { type: "string" } },
    };
    const root = objectRoot(list);
    expect(root).toEqual({
      wrapped: true,
      schema: {
        type: "object",
        properties: { value: { type: "array", items: { $ref: "#/$defs/t" } } },
        required: ["value"],
        additionalProperties: false,
        $defs: { t: { type: "string" } },
      },
    });
    const shape = requestShape([{ role: "user", content: "x" }], list, "tags");
    expect(shape.wrapped).toBe(true);
    expect(shape.response_format.type).toBe("json_schema");
    expect(unwrapText('{"value":["a","b"]}', true)).toBe('["a","b"]');
    expect(unwrapText("not json", true)).toBe("not json");
  });

  it("are not wrapped when a $ref points at the root itself", () => {
    expect(objectRoot({ type: "array", items: { $ref: "#" } }).wrapped).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { requestShape } from "../../src/ai/openai-provider";
import { isStrictCompatible, strictIncompatibilities } from "../../src/ai/strict-schema";
import type { JsonSchema } from "../../src/ai/types";
import { strictArticleSchema } from "../fixtures/schemas/strict";

const articleSchema = strictArticleSchema;
/** Not strict-compatible as written: an optional property and minLength. */
const looseSchema: JsonSchema = {
  type: "object",
  required: ["summary"],
  properties: { summary: { type: "string", minLength: 10 }, note: { type: "string" } },
};

describe("strict structured-output compatibility", () => {
  it("sends a strict schema without $schema, under a name OpenAI accepts", () => {
    const withMeta = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      ...(articleSchema as object),
    };
    const shape = requestShape([{ role: "user", content: "x" }], withMeta, "content-review/draft v1");
    expect(shape.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "content-review_draft_v1", schema: articleSchema, strict: true },
    });
  });

  it("accepts closed, fully required object schemas with supported keywords and local refs", () => {
    expect(isStrictCompatible(articleSchema)).toBe(true);
    expect(
      isStrictCompatible({
        type: "object",
        additionalProperties: false,
        required: ["a", "b"],
        properties: {
          a: { $ref: "#/$defs/item" },
          b: { anyOf: [{ type: "string", format: "date" }, { type: "null" }] },
        },
        $defs: {
          item: {
            type: "object",
            additionalProperties: false,
            required: ["v"],
            properties: { v: { type: ["number", "null"] } },
          },
        },
      }),
    ).toBe(true);
  });

  it("rejects what strict mode cannot take, naming where", () => {
    expect(strictIncompatibilities(looseSchema)).toEqual(
      expect.arrayContaining([
        "/: additionalProperties must be false",
        '/: property "note" must be required',
        '/properties/summary: keyword "minLength" is not supported',
      ]),
    );
    expect(isStrictCompatible({ type: "array", items: { type: "string" } })).toBe(false);
    expect(isStrictCompatible(true)).toBe(false);
    expect(
      isStrictCompatible({
        type: "object",
        additionalProperties: false,
        required: ["x"],
        properties: { x: { type: "object", properties: {}, required: [] } },
      }),
    ).toBe(false);
    expect(
      isStrictCompatible({
        type: "object",
        additionalProperties: false,
        required: ["u"],
        properties: { u: { type: "string", format: "uri" } },
      }),
    ).toBe(false);
    expect(
      isStrictCompatible({
        type: "object",
        additionalProperties: false,
        required: [],
        properties: {},
        oneOf: [],
      }),
    ).toBe(false);
  });
});

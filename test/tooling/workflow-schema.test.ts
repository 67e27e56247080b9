/// <reference types="vite/client" />
// The JSON Schema editors use for autocomplete (schemas/workflow.schema.json, GET /schemas/workflow.json):
// generated from the zod model and committed, it accepts every example and refuses structural
// mistakes; cross-step rules are the validator's, and the schema leaves them to it.
import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import committed from "../../schemas/workflow.schema.json";
import { workflowJsonSchema } from "../../src/definitions/json-schema";
import { parseDefinitionSource } from "../../src/definitions/parse";
import { api } from "../helpers/api";

const REGENERATE = "schemas/workflow.schema.json is stale: run `npm run generate` and commit the result";
const MODELINE = "# yaml-language-server: $schema=../schemas/workflow.schema.json\n";

const files = import.meta.glob<string>("../../examples/*.yaml", {
  query: "?raw",
  import: "default",
  eager: true,
});
const examples = Object.entries(files).map(([path, source]) => ({
  name: path.split("/").pop() ?? path,
  source,
}));

const validator = new Validator(committed as never, "2020-12", false);
const schemaErrors = (value: unknown) => validator.validate(value).errors;

const minimal = () => ({
  id: "ok",
  name: "Ok",
  start_step: "ask",
  steps: [{ id: "ask", type: "form", fields: [{ name: "topic", type: "string" }] }],
});
type Def = ReturnType<typeof minimal> & Record<string, unknown>;
const step = (def: Def) => def.steps[0] as Record<string, unknown>;

describe("the workflow JSON Schema", () => {
  it("is the one generated from the zod model", () => {
    expect(committed, REGENERATE).toEqual(workflowJsonSchema());
  });

  it("is served at GET /schemas/workflow.json without an API key", async () => {
    const res = await api("GET", "/schemas/workflow.json", { key: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(committed);
  });

  it("is found at the top of every example, and every example satisfies it and the validator", () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const { name, source } of examples) {
      expect(source.startsWith(MODELINE), `${name} starts with the modeline`).toBe(true);
      expect(schemaErrors(parse(source)), name).toEqual([]);
      expect(parseDefinitionSource(source, "yaml").ok, name).toBe(true);
    }
  });

  const invalid: Array<[string, (d: Def) => void]> = [
    ["a missing id", (d) => Reflect.deleteProperty(d, "id")],
    ["an id with capitals", (d) => Object.assign(d, { id: "Not-OK" })],
    ["an unknown top-level key", (d) => Object.assign(d, { stpes: [] })],
    ["no steps", (d) => Object.assign(d, { steps: [] })],
    ["an unknown step type", (d) => Object.assign(step(d), { type: "approvall" })],
    ["an unknown step key", (d) => Object.assign(step(d), { colour: "red" })],
    ["a form without fields", (d) => Reflect.deleteProperty(step(d), "fields")],
    ["a field of an unknown type", (d) => Object.assign(step(d), { fields: [{ name: "x", type: "text" }] })],
    ["a duration without a unit", (d) => Object.assign(step(d), { timeout: "10" })],
    ["a number where text goes", (d) => Object.assign(d, { name: 42 })],
  ];
  for (const [what, mutate] of invalid) {
    it(`refuses ${what}, as the validator does`, () => {
      const def = minimal() as Def;
      mutate(def);
      expect(schemaErrors(def).length, "schema errors").toBeGreaterThan(0);
      expect(parseDefinitionSource(JSON.stringify(def), "json").ok).toBe(false);
    });
  }

  it("accepts what only the validator can refuse: a next that names no step", () => {
    const def = minimal() as Def;
    Object.assign(step(def), { next: "nowhere" });
    expect(schemaErrors(def)).toEqual([]);
    expect(parseDefinitionSource(JSON.stringify(def), "json")).toMatchObject({
      ok: false,
      issues: [{ path: "steps[0].next" }],
    });
  });

  it("accepts a lowercase api_call method and a compound duration, as the validator does", () => {
    const def = {
      ...minimal(),
      steps: [{ id: "call", type: "api_call", method: "post", url: "https://example.com", timeout: "1h30m" }],
      start_step: "call",
    };
    expect(schemaErrors(def)).toEqual([]);
    expect(parseDefinitionSource(JSON.stringify(def), "json").ok).toBe(true);
  });
});

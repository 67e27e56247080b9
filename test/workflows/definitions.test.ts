import { describe, expect, it } from "vitest";
import contentReview from "../../examples/content-review.yaml?raw";
import minimal from "../../examples/minimal.yaml?raw";
import triage from "../../examples/triage.yaml?raw";
import { parseDuration } from "../../src/definitions/duration";
import { parseDefinitionSource, validateDefinitionObject } from "../../src/definitions/parse";
import type {
  ApiCallStep,
  Definition,
  DefinitionIssue,
  FormStep,
  ParseResult,
} from "../../src/definitions/types";
import { checkSchemaIsValid, compileSchema } from "../../src/lib/json-schema";
import billionLaughs from "../fixtures/workflows/billion-laughs.yaml?raw";

const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

function issuesOf(result: ParseResult): DefinitionIssue[] {
  if (result.ok) throw new Error("expected the definition to be invalid");
  return result.issues;
}

function definitionOf(result: ParseResult): Definition {
  if (!result.ok)
    throw new Error(`expected a valid definition, got ${JSON.stringify(result.issues, null, 2)}`);
  return result.definition;
}

/** The one issue at `path` (fails when there is none), so each rule test names its exact path. */
function issueAt(issues: DefinitionIssue[], path: string): DefinitionIssue {
  const found = issues.filter((i) => i.path === path);
  expect(found, `no issue at "${path}" in ${JSON.stringify(issues, null, 2)}`).toHaveLength(1);
  return found[0] as DefinitionIssue;
}

function yamlIssues(...lines: string[]): DefinitionIssue[] {
  return issuesOf(parseDefinitionSource(yaml(...lines), "yaml"));
}

const HEAD = ["id: demo", "name: Demo", "start_step: a", "steps:"];

describe("examples", () => {
  it.each([
    ["content-review", contentReview],
    ["minimal", minimal],
    ["triage", triage],
  ])("%s.yaml is valid", (id, text) => {
    const definition = definitionOf(parseDefinitionSource(text, "yaml"));
    expect(definition.id).toBe(id);
  });

  it("content-review becomes the typed definition with defaults and durations in ms", () => {
    const d = definitionOf(parseDefinitionSource(contentReview, "yaml"));
    expect(d.steps.map((s) => s.type)).toEqual([
      "form",
      "ai_generate",
      "conditional",
      "approval",
      "api_call",
    ]);
    const brief = d.steps[0] as FormStep;
    expect(brief.timeout_ms).toBe(7 * 24 * 3600 * 1000);
    expect(brief.fields.map((f) => f.required)).toEqual([true, false, false, false, false]);
    expect(brief).not.toHaveProperty("timeout");
    expect(d.steps[1]).toMatchObject({ max_retries: 2, template: "draft_v1", output: "draft" });
    expect(d.steps[3]).toMatchObject({ remind_after_ms: 12 * 3600 * 1000, timeout_ms: 24 * 3600 * 1000 });
    const publish = d.steps[4] as ApiCallStep;
    expect(publish).toMatchObject({
      method: "POST",
      retry: { max: 3 },
      fail_on_status: true,
      timeout_ms: 10_000,
    });
    expect(d.context).toEqual({ company: "Acme" });
  });

  it("applies defaults: method upper-cased, retry {max: 0}, fail_on_status, store, empty context and templates", () => {
    const d = definitionOf(
      parseDefinitionSource(
        yaml(...HEAD, "  - { id: a, type: api_call, method: get, url: 'https://x.test/{{runtime.id}}' }"),
        "yaml",
      ),
    );
    expect(d.steps[0]).toEqual({
      id: "a",
      type: "api_call",
      method: "GET",
      url: "https://x.test/{{runtime.id}}",
      retry: { max: 0 },
      fail_on_status: true,
      store: true,
    });
    expect(d.context).toEqual({});
    expect(d.templates).toEqual({});
  });
});

describe("YAML and JSON sources", () => {
  it("reports YAML syntax errors with line and column", () => {
    const issues = issuesOf(
      parseDefinitionSource(yaml("id: demo", "name: [unclosed", "start_step: a"), "yaml"),
    );
    expect(issues[0]?.message).toMatch(/^YAML syntax error/);
    expect(issues[0]).toMatchObject({ path: "", line: expect.any(Number), column: expect.any(Number) });
  });

  it("reports duplicate YAML keys at the second key", () => {
    const issues = yamlIssues("id: demo", "name: A", "name: B");
    expect(issues[0]).toMatchObject({ path: "", line: 3, column: 1 });
    expect(issues[0]?.message).toMatch(/unique/);
  });

  it("refuses a 'billion laughs' alias bomb quickly", () => {
    const started = Date.now();
    const issues = issuesOf(parseDefinitionSource(billionLaughs, "yaml"));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(issues[0]?.message).toMatch(/alias/i);
  });

  it("never executes language tags such as !!js/function: they are refused", () => {
    const issues = yamlIssues(
      "id: demo",
      'name: !!js/function "function () { globalThis.pwned = true }"',
      "start_step: a",
      "steps:",
      "  - { id: a, type: form, fields: [] }",
    );
    expect(issues[0]).toMatchObject({ path: "", line: 2, column: 7 });
    expect(issues[0]?.message).toMatch(/tag/i);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it("keys named __proto__ or constructor do not pollute prototypes", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: form, fields: [] }",
      "__proto__: { polluted: true }",
      "context:",
      "  __proto__: { polluted: true }",
      "  constructor: { prototype: { polluted: true } }",
    );
    expect(issueAt(issues, "__proto__")).toMatchObject({
      message: 'unknown key "__proto__"',
      line: 6,
      column: 1,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");

    const ok = definitionOf(
      parseDefinitionSource(
        yaml(
          ...HEAD,
          "  - { id: a, type: form, fields: [] }",
          "context:",
          "  constructor: { prototype: { polluted: 1 } }",
        ),
        "yaml",
      ),
    );
    expect(Object.getPrototypeOf(ok.context)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("allows ordinary anchors and aliases", () => {
    const d = definitionOf(
      parseDefinitionSource(
        yaml(
          ...HEAD,
          "  - { id: a, type: ai_generate, prompt: one, schema: &shared { type: object }, next: b }",
          "  - { id: b, type: ai_generate, prompt: two, schema: *shared }",
        ),
        "yaml",
      ),
    );
    expect(d.steps.map((s) => (s.type === "ai_generate" ? s.schema : null))).toEqual([
      { type: "object" },
      { type: "object" },
    ]);
  });

  it("refuses empty sources and several YAML documents", () => {
    expect(issuesOf(parseDefinitionSource("", "yaml"))[0]?.message).toMatch(/must be an object/);
    const issues = issuesOf(parseDefinitionSource(yaml("id: a", "---", "id: b"), "yaml"));
    expect(issues[0]).toMatchObject({ path: "", line: 2 });
  });

  it("refuses non-JSON numbers and absurd nesting with an issue, not a crash", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: form, fields: [] }",
      "context: { limit: .inf, ratio: .nan }",
    );
    expect(issueAt(issues, "context.limit")).toMatchObject({ line: 6, column: 19 });
    expect(issueAt(issues, "context.ratio").message).toMatch(/finite/);
    const flow = issuesOf(parseDefinitionSource(`context: ${"[".repeat(20000)}${"]".repeat(20000)}`, "yaml"));
    expect(flow[0]?.path).toBe("");
    const deep = `${'{"a":'.repeat(60)}1${"}".repeat(60)}`;
    const nested = issuesOf(
      parseDefinitionSource(
        `{"id":"demo","name":"D","start_step":"a","steps":[{"id":"a","type":"form","fields":[]}],"context":${deep}}`,
        "json",
      ),
    );
    expect(nested.map((i) => i.message)).toContain("is nested too deeply (at most 48 levels)");
    let schema: unknown = { type: "string" };
    for (let i = 0; i < 40; i++) schema = { not: schema };
    expect(checkSchemaIsValid(schema)[0]?.message).toMatch(/at most 32 levels/);
  });

  it("lists issues in source order", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: form, fields: [], next: zz, timeout: x }",
      "colour: red",
    );
    expect(issues.map((i) => i.path)).toEqual(["steps[0].next", "steps[0].timeout", "colour"]);
  });

  it("rejects sources over 64 KiB with a message that says so", () => {
    const big = yaml(
      ...HEAD,
      "  - { id: a, type: form, fields: [] }",
      `description: "${"x".repeat(64 * 1024)}"`,
    );
    const issues = issuesOf(parseDefinitionSource(big, "yaml"));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/64 KiB/);
  });

  it("accepts JSON, and reports JSON syntax errors with a position", () => {
    const json = JSON.stringify({
      id: "demo",
      name: "Demo",
      start_step: "a",
      steps: [{ id: "a", type: "form", fields: [] }],
    });
    expect(definitionOf(parseDefinitionSource(json, "json")).steps).toHaveLength(1);
    const issues = issuesOf(parseDefinitionSource('{\n  "id": "demo",\n  "name": }', "json"));
    expect(issues[0]?.message).toMatch(/^JSON syntax error/);
    expect(issues[0]).toMatchObject({ path: "", line: 3, column: 11 });
  });

  it("locates semantic issues in JSON sources too", () => {
    const text = JSON.stringify(
      {
        id: "demo",
        name: "Demo",
        start_step: "a",
        steps: [{ id: "a", type: "form", fields: [], next: "nope" }],
      },
      null,
      2,
    );
    const issue = issueAt(issuesOf(parseDefinitionSource(text, "json")), "steps[0].next");
    expect(issue.line).toBe(text.split("\n").findIndex((l) => l.includes('"next"')) + 1);
  });

  it("validates already-parsed JSON bodies", () => {
    const issues = issuesOf(
      validateDefinitionObject({ id: "demo", name: "Demo", start_step: "x", steps: [] }),
    );
    expect(issueAt(issues, "steps").message).toMatch(/>=1|at least/i);
    expect(issuesOf(validateDefinitionObject([1, 2]))[0]?.path).toBe("");
    expect(issuesOf(validateDefinitionObject(null))[0]?.path).toBe("");
  });
});

describe("the save-time rules of docs/workflows.md, each with its path and location", () => {
  it("unknown keys, at the key itself", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - id: a",
      "    type: form",
      "    fields: []",
      "    timout: 5s",
      "colour: red",
    );
    expect(issueAt(issues, "steps[0].timout")).toMatchObject({
      line: 8,
      column: 5,
      message: 'unknown key "timout"',
    });
    expect(issueAt(issues, "colour")).toMatchObject({ line: 9, column: 1 });
  });

  it("missing required keys and unknown step types", () => {
    const issues = yamlIssues("id: demo", "start_step: a", "steps:", "  - { id: a, type: frm }");
    expect(issueAt(issues, "name").message).toBe("is required");
    expect(issueAt(issues, "steps[0].type")).toMatchObject({ line: 4, column: 20 });
    expect(issueAt(issues, "steps[0].type").message).toMatch(
      /"frm".*form, approval, ai_generate, conditional, api_call/,
    );
  });

  it("duplicate step ids", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: form, fields: [], next: a }",
      "  - { id: a, type: form, fields: [] }",
    );
    expect(issueAt(issues, "steps[1].id")).toMatchObject({ line: 6, column: 11 });
    expect(issueAt(issues, "steps[1].id").message).toMatch(/duplicate step id "a"/);
  });

  it("duplicate field names in a form", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - id: a",
      "    type: form",
      "    fields:",
      "      - { name: topic, type: string }",
      "      - { name: topic, type: integer }",
    );
    expect(issueAt(issues, "steps[0].fields[1].name")).toMatchObject({ line: 9, column: 17 });
  });

  it("targets that name no step: start_step, next, branches[].next, default, on_reject", () => {
    const issues = yamlIssues(
      "id: demo",
      "name: Demo",
      "start_step: nowhere",
      "steps:",
      "  - { id: a, type: form, fields: [], next: b1 }",
      "  - id: b",
      "    type: conditional",
      "    branches:",
      "      - { when: 'true', next: b2 }",
      "    default: b3",
      "  - { id: c, type: approval, approvers: [x@y.test], on_reject: b4 }",
    );
    expect(issueAt(issues, "start_step")).toMatchObject({
      line: 3,
      column: 13,
      message: 'no step has id "nowhere"',
    });
    expect(issueAt(issues, "steps[0].next")).toMatchObject({ line: 5, column: 44 });
    expect(issueAt(issues, "steps[1].branches[0].next")).toMatchObject({ line: 9, column: 31 });
    expect(issueAt(issues, "steps[1].default")).toMatchObject({ line: 10, column: 14 });
    expect(issueAt(issues, "steps[2].on_reject")).toMatchObject({ line: 11, column: 64 });
  });

  it("a conditional step uses default, not next", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: conditional, branches: [{ when: 'true', next: a }], next: a }",
    );
    expect(issueAt(issues, "steps[0].next").message).toMatch(/use default/);
  });

  it("steps unreachable from start_step (next, branches, default and on_reject all count as edges)", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: conditional, branches: [{ when: 'true', next: b }], default: c }",
      "  - { id: b, type: approval, approvers: [x@y.test], on_reject: d }",
      "  - { id: c, type: form, fields: [] }",
      "  - { id: d, type: form, fields: [] }",
      "  - id: orphan",
      "    type: form",
      "    fields: []",
    );
    expect(issues).toHaveLength(1);
    expect(issueAt(issues, "steps[4]")).toMatchObject({ line: 9, column: 5 });
    expect(issues[0]?.message).toMatch(/"orphan" is unreachable/);
  });

  it("invalid JSON Schemas in schema and inputs, with the path inside the schema", () => {
    const issues = yamlIssues(
      "id: demo",
      "name: Demo",
      "start_step: a",
      "inputs:",
      "  type: object",
      "  required: topic",
      "  properties:",
      "    topic: { type: strin }",
      "steps:",
      "  - id: a",
      "    type: ai_generate",
      "    prompt: Hi",
      "    schema:",
      "      type: object",
      "      properties:",
      "        score: { type: integer, minimum: 'a' }",
      "        tags: { type: array, items: { type: string, pattern: '(' } }",
    );
    expect(issueAt(issues, "inputs.required")).toMatchObject({ line: 6, column: 13 });
    expect(issueAt(issues, "inputs.properties.topic.type")).toMatchObject({ line: 8, column: 20 });
    expect(issueAt(issues, "inputs.properties.topic.type").message).toMatch(
      /invalid JSON Schema: Unknown type "strin"/,
    );
    expect(issueAt(issues, "steps[0].schema.properties.score.minimum")).toMatchObject({
      line: 16,
      column: 42,
    });
    expect(issueAt(issues, "steps[0].schema.properties.tags.items.pattern").message).toMatch(
      /regular expression/,
    );
  });

  it("inputs must describe an object", () => {
    const issues = yamlIssues(...HEAD, "  - { id: a, type: form, fields: [] }", "inputs: { type: string }");
    expect(issueAt(issues, "inputs.type").message).toMatch(/object/);
  });

  it("CEL expressions that do not parse, or cannot be boolean", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - id: a",
      "    type: conditional",
      "    branches:",
      "      - { when: 'runtime.score >', next: a }",
      "      - { when: '1 + 2', next: a }",
      "      - { when: 'unknown_var > 1', next: a }",
      "      - { when: 'runtime.score > 80', next: a }",
    );
    expect(issueAt(issues, "steps[0].branches[0].when")).toMatchObject({ line: 8, column: 17 });
    expect(issueAt(issues, "steps[0].branches[0].when").message).toMatch(/^invalid expression/);
    expect(issueAt(issues, "steps[0].branches[1].when").message).toMatch(/boolean.*int/);
    expect(issueAt(issues, "steps[0].branches[2].when").message).toMatch(/Unknown variable: unknown_var/);
    expect(issues.filter((i) => i.path === "steps[0].branches[3].when")).toEqual([]);
  });

  it("unknown template ids, and exactly one of prompt/template", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: ai_generate, template: nope, schema: true, next: b }",
      "  - { id: b, type: ai_generate, prompt: hi, template: t1, schema: true, next: c }",
      "  - { id: c, type: ai_generate, schema: true }",
      "templates: { t1: 'Hello {{runtime.name}}' }",
    );
    expect(issueAt(issues, "steps[0].template")).toMatchObject({ line: 5, column: 43 });
    expect(issueAt(issues, "steps[0].template").message).toBe('unknown template "nope"; defined: t1');
    expect(issueAt(issues, "steps[1].template").message).toMatch(/not both/);
    expect(issueAt(issues, "steps[2]")).toMatchObject({ line: 7, column: 5 });
  });

  it("secrets only in api_call steps: never in prompts, approver addresses or templates", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: ai_generate, prompt: 'Key {{secrets.OPENAI}}', schema: true, next: b }",
      "  - { id: b, type: approval, approvers: ['{{#secrets}}x{{/secrets}}'], next: c }",
      "  - id: c",
      "    type: api_call",
      "    method: POST",
      "    url: 'https://x.test/{{runtime.path}}'",
      "    headers: { Authorization: 'Bearer {{secrets.TOKEN}}' }",
      "    body: { k: '{{{secrets.KEY}}}' }",
      "templates: { t1: '{{secrets.T}}' }",
    );
    expect(issueAt(issues, "steps[0].prompt").message).toMatch(/only be used in api_call/);
    expect(issueAt(issues, "steps[1].approvers[0]").message).toMatch(/only be used in api_call/);
    expect(issueAt(issues, "templates.t1").message).toMatch(/only be used in api_call/);
    expect(issues.filter((i) => i.path.startsWith("steps[2]"))).toEqual([]);
  });

  it("patterns RE2 cannot run, in fields and in JSON Schemas; patterns that only backtrack are fine", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - id: a",
      "    type: form",
      "    fields:",
      "      - { name: code, type: string, pattern: '^(a+)+$' }",
      "      - { name: twice, type: string, pattern: '^(a)\\1$' }",
      "    next: b",
      "  - { id: b, type: ai_generate, prompt: hi, schema: { type: string, pattern: '^(?!x)' } }",
    );
    expect(issues.filter((i) => i.path === "steps[0].fields[0].pattern")).toEqual([]);
    expect(issueAt(issues, "steps[0].fields[1].pattern").message).toMatch(
      /^is not a regular expression RE2 can run \(invalid escape sequence/,
    );
    expect(issueAt(issues, "steps[1].schema.pattern").message).toMatch(
      /invalid JSON Schema: "pattern" is not a regular expression RE2 can run \(invalid or unsupported Perl/,
    );
  });

  it("durations that do not parse, are zero, or exceed 365 days", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: form, fields: [], timeout: 5 minutes, next: b }",
      "  - { id: b, type: approval, approvers: [x@y.test], remind_after: 0s, timeout: 400d }",
    );
    expect(issueAt(issues, "steps[0].timeout")).toMatchObject({ line: 5, column: 47 });
    expect(issueAt(issues, "steps[0].timeout").message).toMatch(/not a duration/);
    expect(issueAt(issues, "steps[1].remind_after").message).toMatch(/greater than zero/);
    expect(issueAt(issues, "steps[1].timeout").message).toMatch(/365 days/);
  });

  it("at most 200 steps", () => {
    const steps = Array.from(
      { length: 201 },
      (_, i) => `  - { id: s${i}, type: form, fields: []${i < 200 ? `, next: s${i + 1}` : ""} }`,
    );
    const issues = yamlIssues("id: demo", "name: Demo", "start_step: s0", "steps:", ...steps);
    expect(issueAt(issues, "steps")).toMatchObject({ line: 5, column: 3 });
    expect(issueAt(issues, "steps").message).toMatch(/at most 200 steps/);
    const ok = steps.slice(0, 200).map((s) => s.replace(", next: s200", ""));
    expect(
      definitionOf(
        parseDefinitionSource(yaml("id: demo", "name: Demo", "start_step: s0", "steps:", ...ok), "yaml"),
      ).steps,
    ).toHaveLength(200);
  });

  it("identifiers: workflow id, step ids, template ids, field names and outputs", () => {
    const issues = yamlIssues(
      "id: Bad ID",
      "name: Demo",
      "start_step: Step-One",
      "steps:",
      "  - id: Step-One",
      "    type: form",
      "    output: my-output",
      "    fields: [{ name: my-field, type: string }, { name: __proto__, type: string }]",
      "templates: { 'Bad Template': hi }",
    );
    expect(issueAt(issues, "id")).toMatchObject({ line: 1, column: 5 });
    expect(issueAt(issues, "steps[0].id").message).toMatch(/\[a-z0-9\]/);
    expect(issueAt(issues, "steps[0].output").message).toMatch(/identifier/);
    expect(issueAt(issues, "steps[0].fields[0].name")).toMatchObject({ line: 8, column: 22 });
    expect(issueAt(issues, "steps[0].fields[1].name").message).toMatch(/identifier/);
    expect(issueAt(issues, 'templates["Bad Template"]').line).toBe(9);
  });

  it("field constraints: enum and default match the type, ranges are ordered, pattern compiles", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - id: a",
      "    type: form",
      "    fields:",
      "      - { name: n, type: integer, enum: [1, 2.5, 'x'], default: 'three' }",
      "      - { name: r, type: number, minimum: 10, maximum: 1 }",
      "      - { name: s, type: string, min_length: 5, max_length: 2, pattern: '[a-', default: 3 }",
      "      - { name: t, type: string, enum: [a, b], default: c }",
      "      - { name: u, type: boolean, minimum: 1 }",
      "      - { name: v, type: string, max_length: 2, default: abc }",
    );
    expect(issueAt(issues, "steps[0].fields[0].enum[1]")).toMatchObject({ line: 8, column: 45 });
    expect(issueAt(issues, "steps[0].fields[0].enum[2]").message).toMatch(/is not a integer/);
    expect(issueAt(issues, "steps[0].fields[0].default").message).toMatch(/"three" is not a integer/);
    expect(issueAt(issues, "steps[0].fields[1].minimum").message).toMatch(/greater than maximum/);
    expect(issueAt(issues, "steps[0].fields[2].min_length").message).toMatch(/greater than max_length/);
    expect(issueAt(issues, "steps[0].fields[2].pattern").message).toMatch(/regular expression/);
    expect(issueAt(issues, "steps[0].fields[2].default").message).toMatch(/3 is not a string/);
    expect(issueAt(issues, "steps[0].fields[3].default").message).toMatch(/enum/);
    expect(issueAt(issues, "steps[0].fields[4].minimum").message).toMatch(/does not apply to a boolean/);
    expect(issueAt(issues, "steps[0].fields[5].default").message).toMatch(/longer than max_length/);
  });

  it("on_timeout: default only when every required field has a default", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - id: a",
      "    type: form",
      "    on_timeout: default",
      "    fields:",
      "      - { name: topic, type: string, required: true }",
      "      - { name: level, type: integer, required: true, default: 1 }",
      "      - { name: note, type: string }",
    );
    expect(issues).toHaveLength(1);
    expect(issueAt(issues, "steps[0].on_timeout")).toMatchObject({ line: 7, column: 17 });
    expect(issues[0]?.message).toMatch(/missing: topic$/);
  });

  it("Mustache templates that do not parse, wherever templates are allowed", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: ai_generate, prompt: 'Hi {{#runtime.x}}', system: '{{oops', schema: true, next: b }",
      "  - { id: b, type: approval, approvers: ['{{profile.email'], instructions: '{{/x}}', next: c }",
      "  - { id: c, type: form, fields: [], assignee: '{{a', next: d }",
      "  - id: d",
      "    type: api_call",
      "    method: POST",
      "    url: 'https://x.test/{{id'",
      "    headers: { X-Token: '{{secrets.T' }",
      "    query: { q: '{{q' }",
      "    body: { items: [{ title: '{{runtime.title' }] }",
      "templates: { t1: '{{#a}}' }",
    );
    for (const path of [
      "steps[0].prompt",
      "steps[0].system",
      "steps[1].approvers[0]",
      "steps[1].instructions",
      "steps[2].assignee",
      "steps[3].url",
      "steps[3].headers.X-Token",
      "steps[3].query.q",
      "steps[3].body.items[0].title",
      "templates.t1",
    ]) {
      expect(issueAt(issues, path).message).toMatch(/^invalid template/);
    }
    expect(issueAt(issues, "steps[3].body.items[0].title")).toMatchObject({ line: 14, column: 30 });
  });

  it("api_call: literal URLs must be http(s), header names must be tokens", () => {
    const issues = yamlIssues(
      ...HEAD,
      "  - { id: a, type: api_call, method: FETCH, url: 'ftp://x', headers: { 'bad header': v } }",
    );
    expect(issueAt(issues, "steps[0].method").message).toMatch(/GET/);
    expect(issueAt(issues, "steps[0].url").message).toMatch(/http/);
    expect(issueAt(issues, 'steps[0].headers["bad header"]').message).toMatch(/header name/);
  });

  it("collects every problem at once, not just the first", () => {
    const issues = yamlIssues(
      "id: demo",
      "name: Demo",
      "start_step: a",
      "bogus: 1",
      "steps:",
      "  - { id: a, type: form, fields: [], timeout: soon, next: missing }",
      "  - { id: a, type: conditional, branches: [{ when: '((', next: a }] }",
    );
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      "bogus",
      "steps[0].next",
      "steps[0].timeout",
      "steps[1].branches[0].when",
      "steps[1].id",
    ]);
  });
});

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["12h", 12 * 3_600_000],
    ["7d", 7 * 86_400_000],
    ["2w", 14 * 86_400_000],
    ["1h30m", 90 * 60_000],
    ["1d12h", 36 * 3_600_000],
    ["365d", 365 * 86_400_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    "",
    "0s",
    "0ms",
    "-5s",
    "5",
    "s",
    "5x",
    "1.5h",
    "30m1h",
    "1h1h",
    "366d",
    "53w",
    "soon",
    "1h 30m",
    "999999999w",
  ])("%j is refused", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe("JSON Schema validator (lib/json-schema)", () => {
  const schema = {
    type: "object",
    required: ["title", "score"],
    additionalProperties: false,
    properties: {
      title: { type: "string", maxLength: 5 },
      score: { type: "integer", minimum: 0, maximum: 100 },
      tags: { type: "array", items: { type: "string" } },
      kind: { anyOf: [{ type: "string" }, { type: "number" }] },
    },
  };

  it("accepts valid instances and reports each invalid one by path and keyword", () => {
    const validate = compileSchema(schema);
    expect(validate({ title: "ok", score: 5, tags: ["a"], kind: 1 })).toEqual({ valid: true });
    const result = validate({ title: "too long", score: 101.5, tags: ["a", 2], kind: true, extra: 1 });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.errors.map((e) => [e.path, e.keyword])).toEqual([
      ["/title", "maxLength"],
      ["/score", "type"],
      ["/score", "maximum"],
      ["/tags/1", "type"],
      ["/kind", "anyOf"],
      ["/extra", "additionalProperties"],
    ]);
    const missing = validate({ score: 1 });
    expect(missing).toEqual({
      valid: false,
      errors: [{ path: "/title", keyword: "required", message: "Is required." }],
    });
  });

  it("caches compiled validators and leaves the (frozen) schema untouched", () => {
    const frozen = Object.freeze({ type: "string", minLength: 2 });
    expect(compileSchema(frozen)).toBe(compileSchema(frozen));
    expect(compileSchema(frozen)("a").valid).toBe(false);
    expect(compileSchema(true)(1)).toEqual({ valid: true });
    expect(compileSchema(false)(1).valid).toBe(false);
  });

  it("caps the number of errors", () => {
    const result = compileSchema({ type: "array", items: { type: "string" } })(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(result.valid === false && result.errors.length).toBe(20);
  });

  it("reports a $ref it cannot resolve instead of throwing", () => {
    const result = compileSchema({ $ref: "https://elsewhere.test/schema.json" })({});
    expect(result.valid).toBe(false);
  });

  it("checkSchemaIsValid finds invalid schemas with the path inside the schema", () => {
    expect(checkSchemaIsValid(schema)).toEqual([]);
    expect(checkSchemaIsValid({ type: "strin" })).toMatchObject([{ path: "/type", keyword: "type" }]);
    expect(checkSchemaIsValid({ required: "x" })).toMatchObject([{ path: "/required" }]);
    expect(checkSchemaIsValid({ properties: { a: { minimum: "a" } } })).toMatchObject([
      { path: "/properties/a/minimum" },
    ]);
    expect(checkSchemaIsValid({ properties: { a: { pattern: "(" } } })).toMatchObject([
      { path: "/properties/a/pattern" },
    ]);
    expect(checkSchemaIsValid({ anyOf: [] })).toMatchObject([{ path: "/anyOf" }]);
    expect(checkSchemaIsValid({ items: [{ type: "string" }] })).toMatchObject([{ path: "/items" }]);
    expect(checkSchemaIsValid({ minLength: -1 })).toMatchObject([{ path: "/minLength" }]);
    expect(checkSchemaIsValid({ $ref: "#/$defs/missing" })).toMatchObject([
      { path: "/$ref", keyword: "$ref" },
    ]);
    expect(checkSchemaIsValid({ $ref: "#" })).toMatchObject([{ path: "/$ref" }]);
    expect(checkSchemaIsValid("string")).toMatchObject([{ path: "" }]);
    expect(checkSchemaIsValid({ $defs: { a: { type: "string" } }, $ref: "#/$defs/a" })).toEqual([]);
  });
});

/**
 * User-written patterns through the HTTP API: a form link, the validate endpoint and a CEL condition
 * over run data. Each input here would keep a backtracking engine busy for minutes or forever; RE2
 * answers at once, so the tests assert the answers (no timings).
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, BASE, envelope } from "../helpers/api";
import { query } from "../helpers/html";

const yaml = (...lines: string[]) => `${lines.join("\n")}\n`;

// Both patterns passed the old save-time guard (no group repeats a group that repeats).
const HANDLE_FLOW = yaml(
  "id: pattern-handle",
  "name: Pick a handle",
  "start_step: ask",
  "steps:",
  "  - id: ask",
  "    type: form",
  "    fields:",
  "      - { name: handle, type: string, required: true, pattern: '^([a-z]|[a-z0-9])+$', max_length: 64 }",
  "      - { name: words, type: string, pattern: '^\\w+\\s?\\w+$', max_length: 100 }",
);

const MATCH_FLOW = yaml(
  "id: pattern-cel",
  "name: Route on run data",
  "start_step: route",
  "steps:",
  "  - id: route",
  "    type: conditional",
  "    branches:",
  "      - { when: 'runtime.text.matches(runtime.re)', next: matched }",
  "    default: other",
  "  - { id: matched, type: form, fields: [] }",
  "  - { id: other, type: form, fields: [] }",
);

interface Status {
  run_id: string;
  status: string;
  current_step: string | null;
  error?: { code: string; message: string };
  waiting?: { resume_token: string };
}

const start = async (workflow: string, inputs: Record<string, unknown> = {}) => {
  const res = await api<Status>("POST", "/v1/executions", { json: { workflow_id: workflow, inputs } });
  expect(res.status, res.text).toBe(202);
  return res.body;
};

const postForm = async (token: string, form: Record<string, string>) => {
  const res = await exports.default.fetch(
    new Request(`${BASE}/r/${token}`, {
      method: "POST",
      body: new URLSearchParams(form),
      redirect: "manual",
    }),
  );
  return { status: res.status, text: await res.text() };
};

beforeAll(async () => {
  for (const source of [HANDLE_FLOW, MATCH_FLOW]) {
    const res = await api("POST", "/v1/workflows", { yaml: source });
    expect(res.status, res.text).toBe(201);
  }
});

describe("a form link", () => {
  it("answers a pathological post at once with the field errors, and the link still works", async () => {
    const run = await start("pattern-handle");
    const token = run.waiting?.resume_token ?? "";
    // 40 characters against ^([a-z]|[a-z0-9])+$ and 200 KB (far over max_length) against ^\w+\s?\w+$.
    const bad = await postForm(token, { handle: `${"a".repeat(40)}!`, words: `${"a".repeat(200_000)}!` });
    expect(bad.status).toBe(422);
    const errors = (await query(bad.text, "p.error")).map((e) => e.text);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/format/i);

    const ok = await postForm(token, { handle: "ann42", words: "hello world" });
    expect(ok.status, ok.text).toBe(303);
    const after = await api<Status>("GET", `/v1/executions/${run.run_id}`);
    expect(after.body).toMatchObject({ status: "completed" });
  });
});

describe("POST /v1/workflows/validate", () => {
  it("checks a field's default against a pattern that backtracks exponentially, and answers", async () => {
    const source = yaml(
      "id: pattern-default",
      "name: Default",
      "start_step: ask",
      "steps:",
      "  - id: ask",
      "    type: form",
      `    fields: [{ name: code, type: string, pattern: '^(a+)+$', default: '${"a".repeat(40)}!' }]`,
    );
    const res = await api("POST", "/v1/workflows/validate", { yaml: source });
    expect(res.status).toBe(422);
    expect(envelope(res).details).toEqual([
      expect.objectContaining({ path: "steps[0].fields[0].default", message: "does not match pattern" }),
    ]);
  });

  it("refuses patterns RE2 cannot run (backreferences, lookaround), with the path of each", async () => {
    const source = yaml(
      "id: pattern-unsupported",
      "name: Unsupported",
      "start_step: ask",
      "inputs: { type: object, patternProperties: { '^(?!x)': { type: string } } }",
      "steps:",
      "  - id: ask",
      "    type: form",
      "    fields: [{ name: code, type: string, pattern: '^(a)\\1$' }]",
      "    next: gen",
      "  - { id: gen, type: ai_generate, prompt: hi, schema: { type: string, pattern: '(?<=a)b' }, next: route }",
      "  - id: route",
      "    type: conditional",
      "    branches: [{ when: 'runtime.code.matches(\"(?=a)\")', next: ask }]",
      "    default: ask",
    );
    const res = await api("POST", "/v1/workflows/validate", { yaml: source });
    expect(res.status).toBe(422);
    const details = envelope(res).details ?? [];
    const at = (path: string) => details.find((d) => d.path === path)?.message;
    expect(at("steps[0].fields[0].pattern")).toMatch(/RE2/);
    expect(at("steps[1].schema.pattern")).toMatch(/RE2 .*no lookahead, lookbehind or backreferences/);
    expect(at('inputs.patternProperties["^(?!x)"]')).toMatch(/RE2/);
    expect(at("steps[2].branches[0].when")).toMatch(/RE2/);
    expect(details).toHaveLength(4);
  });
});

describe("CEL matches() over run data", () => {
  it("routes on a pattern taken from the run's inputs, however it backtracks", async () => {
    const miss = await start("pattern-cel", { text: `${"a".repeat(40)}!`, re: "^(a|a)+$" });
    expect(miss).toMatchObject({ status: "waiting", current_step: "other" });
    const hit = await start("pattern-cel", { text: "order 42", re: "\\d+$" });
    expect(hit).toMatchObject({ status: "waiting", current_step: "matched" });
  });

  it("fails the run with expression_error when the pattern from run data does not compile", async () => {
    const run = await start("pattern-cel", { text: "abc", re: "(?=a)" });
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("expression_error");
    expect(run.error?.message).toMatch(/pattern/i);
  });
});

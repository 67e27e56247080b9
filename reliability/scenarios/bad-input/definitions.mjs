// Hostile workflow definitions: broken and abusive YAML, wrong JSON types, limits, and CEL and Mustache
// injection attempts. Definitions that are accepted are run, and what they render is searched for leaks.
import { SETTINGS } from "../../lib/server.mjs";

const FORM_TAIL = `
  - id: end
    type: form
    fields: [{ name: x, type: string }]`;

/** A minimal valid workflow around a YAML fragment. */
const wf = (id, extra = "", steps = `  - id: ask\n    type: form\n    fields: [{ name: x, type: string }]`) =>
  `id: ${id}\nname: Hostile\nstart_step: ask\n${extra}steps:\n${steps}\n`;

const laughs = () => {
  let y = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 9; i++)
    y += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
      .fill(`*${String.fromCharCode(96 + i)}`)
      .join(",")}]\n`;
  return `${y}id: laughs\nname: x\nstart_step: s\nsteps: []\n`;
};
const deepBlock = (n) => {
  let y = "id: deep\nname: x\nstart_step: ask\ncontext:\n";
  for (let i = 0; i < n; i++) y += `${"  ".repeat(i + 1)}a:\n`;
  return `${y}${"  ".repeat(n + 1)}b: 1\nsteps: []\n`;
};
const manySteps = (n) =>
  `id: many\nname: x\nstart_step: s0\nsteps:\n${Array.from({ length: n }, (_, i) => `  - { id: s${i}, type: form, fields: [{name: x, type: string}]${i + 1 < n ? `, next: s${i + 1}` : ""} }`).join("\n")}\n`;

/** YAML and JSON bodies for POST /v1/workflows/validate: 200 or 422, never worse. */
export function definitionCases() {
  const y = (name, source, expect = [422]) => ({
    name: `yaml: ${name}`,
    method: "POST",
    path: "/v1/workflows/validate",
    body: source,
    headers: { "content-type": "application/yaml" },
    expect,
  });
  const j = (name, body, expect = [400, 422]) => ({
    name: `json definition: ${name}`,
    method: "POST",
    path: "/v1/workflows/validate",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json" },
    expect,
  });
  const step = { id: "ask", type: "form", fields: [{ name: "x", type: "string" }] };
  const base = { id: "j", name: "J", start_step: "ask", steps: [step] };
  return [
    y("empty", ""),
    y("unclosed flow", "id: [unclosed\nname: x"),
    y("tab indentation", "id: x\nsteps:\n\t- id: a"),
    y("duplicate keys", wf("dup").replace("name: Hostile", "name: A\nname: B")),
    y("a scalar", "just a string"),
    y("a list", "- a\n- b"),
    y("null document", "~"),
    y("billion laughs", laughs()),
    y("deep flow nesting (5000)", `id: deep\nname: x\nctx: ${"[".repeat(5000)}${"]".repeat(5000)}\n`),
    y("deep block nesting (150)", deepBlock(150)),
    y(
      "!!js/function tag",
      wf("tagfn").replace("name: Hostile", "name: !!js/function 'function(){return process}'"),
    ),
    y("!!binary tag", wf("tagbin").replace("name: Hostile", "name: !!binary aGVsbG8=")),
    y("custom tag", wf("tagx").replace("name: Hostile", "name: !evil x")),
    y("!!set", wf("tagset").replace("name: Hostile", "name: !!set {a, b}")),
    y("over 64 KiB", wf("big").replace("name: Hostile", `name: "${"n".repeat(70 * 1024)}"`)),
    y("201 steps", manySteps(201)),
    y("BOM and CRLF", `\ufeff${wf("bomcrlf")}`.replaceAll("\n", "\r\n"), [200, 422]),
    y("merge keys", `${wf("merge").replace("name: Hostile", "base: &b {name: M}\n<<: *b")}`),
    y("two documents", `${wf("docs")}---\n${wf("docs2")}`),
    y(
      "huge numbers",
      wf(
        "nums",
        "",
        `  - { id: ask, type: ai_generate, prompt: p, schema: {type: object}, max_retries: 1e400 }`,
      ),
    ),
    y(
      "max_retries 2^64",
      wf(
        "nums2",
        "",
        `  - { id: ask, type: ai_generate, prompt: p, schema: {type: object}, max_retries: 18446744073709551616 }`,
      ),
    ),
    y("top-level __proto__", wf("proto").replace("name: Hostile", "name: P\n__proto__: { polluted: true }")),
    y(
      "__proto__ in context",
      wf("protoctx", "context: { __proto__: { polluted: true }, constructor: { prototype: 1 } }\n"),
      [200, 422],
    ),
    y("id with RTL override", wf("rtl\u202eevil")),
    y("id with NUL", wf("nul\u0000")),
    y(
      "emoji step id",
      wf("emoji", "", `  - id: "😀"\n    type: form\n    fields: [{ name: x, type: string }]`),
    ),
    y(
      "timeout -1d",
      wf("neg", "", `  - id: ask\n    type: form\n    timeout: -1d\n    fields: [{ name: x, type: string }]`),
    ),
    y(
      "timeout 1e400s",
      wf(
        "inf",
        "",
        `  - id: ask\n    type: form\n    timeout: 1e400s\n    fields: [{ name: x, type: string }]`,
      ),
    ),
    y(
      "remote $ref in schema",
      wf(
        "ref",
        "",
        `  - { id: ask, type: ai_generate, prompt: p, schema: { $ref: "http://127.0.0.1:1/evil.json" } }`,
      ),
      [200, 422],
    ),
    y(
      "self-referencing schema",
      wf("selfref", "", `  - { id: ask, type: ai_generate, prompt: p, schema: { $ref: "#" } }`),
      [200, 422],
    ),
    y(
      "invalid regex pattern",
      wf("badre", "", `  - id: ask\n    type: form\n    fields: [{ name: x, type: string, pattern: "(" }]`),
    ),
    y("unknown step type", wf("unk", "", `  - { id: ask, type: shell, cmd: "rm -rf /" }`)),
    y(
      "api_call to file://",
      wf("file", "", `  - { id: ask, type: api_call, method: GET, url: "file:///etc/passwd" }`),
      [200, 422],
    ),
    j("steps a string", { ...base, steps: "x" }),
    j("steps of numbers", { ...base, steps: [1, 2] }),
    j("id a number", { ...base, id: 1 }),
    j("start_step null", { ...base, start_step: null }),
    j("10k steps", { ...base, steps: Array.from({ length: 10_000 }, (_, i) => ({ ...step, id: `s${i}` })) }),
    j(
      "deep context (100k)",
      `{"id":"d","name":"d","start_step":"ask","context":{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}},"steps":[${JSON.stringify(step)}]}`,
    ),
    j(
      "lone surrogate name",
      `{"id":"ls","name":"bad \\ud800 name","start_step":"ask","steps":[${JSON.stringify(step)}]}`,
      [200, 422],
    ),
    j("fields a map", { ...base, steps: [{ ...step, fields: { x: "string" } }] }),
    j("null body fields", { ...base, steps: [{ ...step, fields: null }] }),
  ];
}

const CEL = [
  ["proto access", "runtime.__proto__ != null"],
  ["constructor call", "runtime.constructor.constructor('return process')()"],
  ["triple nested map", "[1,2,3].map(x, [1,2,3].map(y, [1,2,3].map(z, x))) != []"],
  ["double nested map", "size([1,2,3].map(x, [1,2,3].map(y, x))) == 3"],
  ["deep parentheses", `${"(".repeat(60)}true${")".repeat(60)}`],
  ["2001 characters", `${"true && ".repeat(250)}true`],
  ["ternary of mixed types", "size(runtime) > 0 ? 1 : 'x'"],
  ["division by zero", "1 / 0 == 1"],
  ["int overflow", "9223372036854775807 + 1 > 0"],
  [
    "timestamp overflow",
    "timestamp('9999-12-31T23:59:59Z') + duration('1s') > timestamp('2000-01-01T00:00:00Z')",
  ],
  ["NUL in a string", "'\\x00' == 'a'"],
  ["missing field", "runtime.nope.deeper == 1"],
  [
    "huge list",
    `size([${Array(999).fill("1").join(",")}].map(x, [${Array(999).fill("1").join(",")}].map(y, y))) > 0`,
  ],
  ["string blow-up", `size(${Array(200).fill("'aaaaaaaaaa'").join(" + ")}) > 0`],
];

/** Each CEL attempt as a workflow: saved or refused (422); a saved one is run and must fail or move on cleanly. */
export function celFlows() {
  return CEL.map(([name, expr], i) => ({
    name: `CEL ${name}`,
    flow: async (send, t) => {
      const id = `rel-cel-${i}`;
      const source = wf(
        id,
        "",
        `  - id: ask\n    type: conditional\n    branches:\n      - when: ${JSON.stringify(expr)}\n        next: end\n    default: end${FORM_TAIL}`,
      );
      const created = await send({
        name: `CEL ${name}: save`,
        method: "POST",
        path: "/v1/workflows",
        body: source,
        headers: { "content-type": "application/yaml" },
        expect: [201, 422],
      });
      if (created.status !== 201) return;
      const run = await send({
        name: `CEL ${name}: run`,
        method: "POST",
        path: "/v1/executions",
        json: { workflow_id: id, inputs: { a: 1 } },
        expect: [202],
      });
      const s = run.body;
      t.check(
        s && (s.status === "waiting" || (s.status === "failed" && typeof s.error?.message === "string")),
        `CEL ${name}: the run waits at its next step or fails with a message`,
        run.text,
      );
    },
  }));
}

const MUSTACHE = [
  ["lambda section", "{{#lambda}}x{{/lambda}}"],
  ["constructor.constructor", "{{constructor.constructor}}"],
  ["runtime.constructor", "{{runtime.constructor.constructor}}"],
  ["static.__proto__", "{{static.__proto__}} {{{runtime.__proto__.constructor}}}"],
  [
    "bindings as secrets",
    "{{secrets.API_KEYS}}|{{secrets.RESUME_TOKEN_SECRETS}}|{{secrets.SECRET_API_KEYS}}",
  ],
  ["set delimiters", "{{=<% %>=}}<% constructor %><% runtime.topic.length %>"],
  ["prototype methods", "{{toString}}{{hasOwnProperty}}{{valueOf}}{{runtime.topic.length}}"],
  ["nested sections", "{{#runtime}}{{#.}}{{.}}{{/.}}{{/runtime}}"],
  ["partial", "{{> evil}}"],
  ["unclosed section", "{{#unclosed}}"],
  ["stray closer", "{{/closer}}"],
];

const LEAKS = [SETTINGS.apiKey, SETTINGS.tokenSecret, "native code", "function ", "[object ", "=> "];

/** Each Mustache attempt in an AI prompt and an approval's instructions: refused (422) or rendered harmlessly. */
export function mustacheFlows() {
  return MUSTACHE.map(([name, template], i) => ({
    name: `Mustache ${name}`,
    flow: async (send, t, helpers) => {
      const id = `rel-mustache-${i}`;
      const source = `id: ${id}\nname: M\nstart_step: gen\ncontext: { company: Acme }\nsteps:\n  - id: gen\n    type: ai_generate\n    prompt: ${JSON.stringify(`Topic: {{runtime.topic}} ${template}`)}\n    schema: { type: object }\n    output: g\n    next: sign\n  - id: sign\n    type: approval\n    approvers: ["lead@rel.test"]\n    instructions: ${JSON.stringify(template)}\n`;
      const created = await send({
        name: `Mustache ${name}: save`,
        method: "POST",
        path: "/v1/workflows",
        body: source,
        headers: { "content-type": "application/yaml" },
        expect: [201, 422],
      });
      if (created.status !== 201) return;
      const run = await send({
        name: `Mustache ${name}: run`,
        method: "POST",
        path: "/v1/executions",
        json: { workflow_id: id, inputs: { topic: "{{secrets.API_KEYS}}{{constructor}}" } },
        expect: [202],
      });
      const runId = run.body?.run_id;
      if (!runId) return;
      const status = await helpers.waitFor(runId, (s) => s.status !== "running", 15_000);
      const history = await send({
        name: `Mustache ${name}: history`,
        method: "GET",
        path: `/v1/executions/${runId}/history`,
        expect: [200],
      });
      const seen = `${JSON.stringify(status)}\n${history.text}`;
      const leaked = LEAKS.filter((l) => seen.includes(l));
      t.check(
        status?.status === "waiting" || status?.status === "failed",
        `Mustache ${name}: the run reaches its approval (or fails cleanly)`,
        status,
      );
      t.check(leaked.length === 0, `Mustache ${name}: nothing leaks into the prompt or instructions`, {
        leaked,
        instructions: status?.waiting?.instructions,
      });
    },
  }));
}

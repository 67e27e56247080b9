// Scenario 6: hostile outside parties. Its own wrangler dev (the real OpenAI SDK against a fake model on
// 127.0.0.1, one secret allowed for one origin) and two recording origins prove from the receiving side
// what reached the wire: SSRF through redirects, secrets to hosts not allowed for them, CRLF in templated
// header values, hostile AI output (huge, __proto__, template text), oversize and multipart posts to
// /r/{token}, and a request body that trickles in while other requests must still be answered.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeOpenAi, startWire } from "../lib/fakes.mjs";
import { client, sleep } from "../lib/http.mjs";
import { clip, tally } from "../lib/report.mjs";
import { DevServer } from "../lib/server.mjs";

const SECRET = "rel-secret-value-7f3a9c";
const TERMINAL = new Set(["completed", "failed", "rejected", "cancelled"]);

const apiCallFlow = (id, { url, headers = {}, body }) => `
id: ${id}
name: Hostile ${id}
start_step: call
steps:
  - id: call
    type: api_call
    method: POST
    url: "${url}"
    headers: ${JSON.stringify(headers)}
    body: ${JSON.stringify(body ?? { hello: "world" })}
    output: answer
`;

const aiFlow = (id, kind) => `
id: ${id}
name: Hostile AI ${kind}
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "CASE:${kind} write about {{runtime.x}}"
    max_retries: 1
    schema:
      type: object
      required: [title, score]
      properties:
        title: { type: string }
        score: { type: integer }
    output: draft
    next: check
  - id: check
    type: approval
    approvers: ["lead@rel.test"]
    instructions: "Check {{runtime.draft.title}}"
    show: [runtime.draft.title]
`;

const FORM = `
id: hostile-form
name: Hostile form
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "ann@rel.test"
    fields:
      - { name: note, type: string, required: true, max_length: 200 }
`;

async function until(api, runId, done, ms = 20_000) {
  const deadline = Date.now() + ms;
  let s;
  do {
    s = (await api.get(`/v1/executions/${runId}`)).body;
    if (s && done(s)) return s;
    await sleep(250);
  } while (Date.now() < deadline);
  return s;
}

async function startAndSettle(api, workflow, inputs = {}) {
  const started = await api.post("/v1/executions", { workflow_id: workflow, inputs, profile: {} });
  if (!started.body?.run_id) return { started, run: undefined };
  const run = await until(api, started.body.run_id, (s) => TERMINAL.has(s.status) || s.status === "waiting");
  return { started, run };
}

const errorText = (run) => JSON.stringify(run?.error ?? {});

async function ssrfChecks(t, api, wire) {
  const { a, b } = wire;
  const inUrl = await api.yaml(
    "/v1/workflows",
    apiCallFlow("h-url", { url: `${a.base}/x?k={{secrets.REL_TOKEN}}` }),
  );
  t.check(
    inUrl.status === 422 && inUrl.text.includes("steps[0].url"),
    "a secret in a URL is refused at save",
    clip(inUrl.text),
  );

  const auth = { Authorization: "Bearer {{secrets.REL_TOKEN}}" };
  const cases = [
    [
      "h-cross",
      `${a.base}/redirect?to=${encodeURIComponent(`${b.base}/sink`)}&status=307`,
      auth,
      "redirect_not_allowed",
    ],
    [
      "h-cross-303",
      `${a.base}/redirect?to=${encodeURIComponent(`${b.base}/sink`)}&status=303`,
      {},
      "redirect_not_allowed",
    ],
    ["h-host", `${b.base}/direct`, auth, "secret_not_allowed"],
  ];
  for (const [id, url, headers, code] of cases) {
    const saved = await api.yaml("/v1/workflows", apiCallFlow(id, { url, headers }));
    const { run } = await startAndSettle(api, id);
    t.check(
      saved.status === 201 && run?.status === "failed" && errorText(run).includes(code),
      `${id}: the step fails with ${code}`,
      clip(run),
    );
  }
  t.check(
    b.requests.length === 0,
    "the origin secrets are not allowed for received nothing (no redirect, no direct call)",
    b.requests.map((r) => `${r.method} ${r.path}`),
  );
  const leaked = [...a.requests, ...b.requests].filter((r) => r.headers.authorization?.includes(SECRET));
  t.check(
    leaked.every((r) => a.requests.includes(r)) && leaked.length >= 1,
    "the secret reached only the allowed origin",
    leaked.length,
  );

  const same = apiCallFlow("h-same", {
    url: `${a.base}/redirect?to=${encodeURIComponent(`${a.base}/landed`)}`,
    headers: auth,
  });
  await api.yaml("/v1/workflows", same);
  const { run } = await startAndSettle(api, "h-same");
  t.check(
    run?.status === "completed" && a.requests.some((r) => r.path === "/landed"),
    "a same-origin redirect is followed",
    clip(run),
  );
}

async function crlfChecks(t, api, wire) {
  const flow = apiCallFlow("h-crlf", {
    url: `${wire.a.base}/crlf`,
    headers: { "X-Note": "{{{runtime.note}}}" },
  });
  await api.yaml("/v1/workflows", flow);
  for (const note of ["a\r\nX-Injected: yes", "b\nX-Injected: yes", "c\rX-Injected: yes", "d\u0000e"]) {
    const { started, run } = await startAndSettle(api, "h-crlf", { note });
    t.check(
      started.status < 500 && TERMINAL.has(run?.status),
      `CRLF header value ${JSON.stringify(note.slice(0, 4))}: the run ends (${run?.status} ${run?.error?.code ?? ""})`,
      clip(run ?? started.text),
    );
  }
  const injected = wire.a.requests.filter((r) => "x-injected" in r.headers);
  t.check(
    injected.length === 0,
    "no injected header ever reached the wire",
    injected.map((r) => r.headers),
  );
}

async function aiChecks(t, api) {
  for (const kind of ["huge", "proto", "template", "garbage"]) {
    await api.yaml("/v1/workflows", aiFlow(`h-ai-${kind}`, kind));
    const { started, run } = await startAndSettle(api, `h-ai-${kind}`, { x: "cats" });
    const settled = run && (TERMINAL.has(run.status) || run.status === "waiting");
    t.check(
      started.status === 202 && settled,
      `AI answers ${kind}: the run settles (${run?.status} ${run?.error?.code ?? ""})`,
      clip(run ?? started.text),
    );
    if (kind === "template" && run?.status === "waiting") {
      const shown = run.waiting?.instructions ?? "";
      t.check(
        shown.includes("{{secrets.REL_TOKEN}}") && !shown.includes(SECRET),
        "template text in AI output is shown as text, never rendered",
        shown,
      );
    }
    const ctx = run ? await api.get(`/v1/executions/${run.run_id}/context`) : undefined;
    t.check(
      ctx?.status === 200 && !ctx.text.includes(SECRET),
      `AI answers ${kind}: its context reads back`,
      clip(ctx?.text),
    );
  }
  const probe = await api.post("/v1/workflows/validate", {
    id: "probe",
    name: "p",
    start_step: "a",
    steps: [],
  });
  t.check(
    probe.status < 500 && !probe.text.includes("polluted"),
    "no prototype was polluted",
    clip(probe.text),
  );
}

async function linkChecks(t, api, server) {
  await api.yaml("/v1/workflows", FORM);
  const { run } = await startAndSettle(api, "hostile-form");
  const token = run?.waiting?.resume_token;
  if (!token) return void t.check(false, "the form run waits", clip(run));
  const path = `/r/${token}`;
  const big = await api.request("POST", path, {
    body: `note=${"x".repeat(2 * 1024 * 1024)}`,
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base },
  });
  const bigStatus = big.status === 0 ? await server.answeredWith(big.id) : big.status;
  t.check(bigStatus === 413, `an oversize post to a link is a 413 (${bigStatus})`, clip(big.text));
  const form = new FormData();
  form.set("note", "multipart note");
  form.set("file", new Blob(["x".repeat(1000)]), "x.txt");
  const multi = await api.request("POST", path, { body: form, headers: { origin: server.base } });
  t.check(
    multi.status > 0 && multi.status < 500,
    `a multipart post to a link is answered (${multi.status})`,
    clip(multi.text),
  );
  const after = (await api.get(`/v1/executions/${run.run_id}`)).body;
  const resumed = multi.status === 303;
  t.check(
    resumed ? after?.status === "completed" : after?.status === "waiting",
    `the run is where the answers say (${after?.status})`,
    clip(after),
  );
  if (!resumed) {
    const ok = await api.post(`/v1/executions/${run.run_id}/resume`, { token, data: { note: "fine" } });
    t.check(ok.status === 200, "the link's token still works after the hostile posts", clip(ok.text));
  }
}

async function slowBodyChecks(t, api) {
  const text = JSON.stringify({ workflow_id: "hostile-form", inputs: {}, profile: {} });
  const bytes = Buffer.from(text);
  let i = 0;
  const body = new ReadableStream({
    async pull(controller) {
      await sleep(300);
      if (i >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(i, i + 4));
      i += 4;
    },
  });
  const slow = api.request("POST", "/v1/executions", {
    body,
    headers: { "content-type": "application/json" },
    timeoutMs: 60_000,
  });
  const waits = [];
  for (let k = 0; k < 8; k++) {
    const res = await api.get("/health");
    waits.push(res.status === 200 ? res.ms : -1);
    await sleep(500);
  }
  const answered = await slow;
  t.check(
    waits.every((ms) => ms >= 0 && ms < 2000),
    `other requests are answered while a body trickles in (${waits.join(", ")} ms)`,
    waits,
  );
  t.check(
    answered.status > 0 && answered.status < 500,
    `the trickled request is answered (${answered.status}, ${answered.ms} ms)`,
    clip(answered.text),
  );
}

/** Runs the hostile scenario on its own server. */
export async function hostileScenario() {
  const t = tally("hostile");
  const wire = await startWire();
  const model = await startFakeOpenAi();
  const workDir = mkdtempSync(join(tmpdir(), "scaff-hostile-"));
  const server = new DevServer(workDir, {
    vars: {
      AI_PROVIDER: "openai",
      OPENAI_API_KEY: "sk-fake",
      OPENAI_BASE_URL: model.base,
      SECRET_REL_TOKEN: SECRET,
      SECRETS_ALLOWED_HOSTS: `REL_TOKEN=127.0.0.1:${wire.a.port}`,
    },
  });
  try {
    await server.migrate();
    await server.start();
    const api = client(() => server.base, {
      answeredWith: (id, ms) => server.answeredWith(id, ms),
    });
    for (const [name, fn] of [
      ["ssrf", () => ssrfChecks(t, api, wire)],
      ["crlf", () => crlfChecks(t, api, wire)],
      ["ai", () => aiChecks(t, api)],
      ["links", () => linkChecks(t, api, server)],
      ["slow body", () => slowBodyChecks(t, api)],
    ]) {
      try {
        await fn();
      } catch (e) {
        t.check(false, `${name}: the checks ran`, e instanceof Error ? e.stack : String(e));
      }
    }
    const fivexx = [...server.answered.values()].filter((s) => s >= 500).length;
    t.check(fivexx === 0, `the Worker answered no 5xx (${server.answered.size} requests)`, fivexx);
    t.note(
      `the fake model was asked ${model.requests.length} times; origin a got ${wire.a.requests.length} requests, b ${wire.b.requests.length}`,
    );
  } finally {
    const left = await server.stop();
    server.unlinkModules();
    rmSync(workDir, { recursive: true, force: true });
    wire.close();
    model.close();
    t.check(left.length === 0, "the hostile scenario's server stopped", left);
  }
  return t;
}

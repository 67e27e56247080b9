// Scenario 4: at least 200 malformed or hostile requests against every endpoint. Every answer: no 5xx,
// every non-2xx in the error envelope, no secret or stack trace in any body, and the status the
// contract names where it names one. A run waiting at its form is the target; it must come out untouched.
import { pool, sleep } from "../lib/http.mjs";
import { clip, tally } from "../lib/report.mjs";
import { SETTINGS } from "../lib/server.mjs";
import { resumeDataCases, startCases } from "./bad-input/bodies.mjs";
import { celFlows, definitionCases, mustacheFlows } from "./bad-input/definitions.mjs";
import { patternFlow, roundTripFlows, storageFlows } from "./bad-input/flows.mjs";
import { headerCases } from "./bad-input/headers.mjs";
import { authCases, pathCases, queryCases, routeCases } from "./bad-input/requests.mjs";
import { tokenCases } from "./bad-input/tokens.mjs";

const STACK = /\n\s+at \S+ \(|\bat [\w.]+ \(\/|node_modules\//;

function describe(c, body) {
  const b = typeof body === "string" ? body : body ? `<${body.length ?? "?"} bytes>` : "";
  return `${c.method} ${c.path.slice(0, 120)} ${JSON.stringify(c.headers ?? {}).slice(0, 200)} ${b.slice(0, 200)}`;
}

/** Sends one case and judges the answer by the global rules and the case's expected statuses. */
function sender(server, api, t, ctx) {
  return async (c) => {
    const path = c.path.replaceAll("{run}", ctx.runId);
    const body = typeof c.body === "function" ? c.body() : c.body;
    const opts = { headers: c.headers ?? {}, auth: c.auth, json: c.json, body };
    if (c.stream !== undefined) {
      const bytes = Buffer.from(c.stream);
      opts.body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024)
            controller.enqueue(bytes.subarray(i, i + 64 * 1024));
          controller.close();
        },
      });
    }
    const res = await api.request(c.method, path, opts);
    const what = `${c.name} → ${res.status}`;
    const evidence = {
      request: describe({ ...c, path }, body ?? (c.json && JSON.stringify(c.json))),
      status: res.status,
      response: clip(res.text, 400),
    };
    const problems = [];
    // A streamed upload the Worker refuses early may be cut while the client still writes it, so the
    // client never reads the answer; the Worker's own log line for the request says what it answered.
    const logged = res.status === 0 && c.stream !== undefined ? await server.answeredWith(res.id) : undefined;
    if (logged !== undefined) {
      evidence.worker_logged = logged;
      if (c.expect && !c.expect.includes(logged)) problems.push(`the Worker answered ${logged}`);
      if (logged >= 500) problems.push("5xx");
      t.check(problems.length === 0, `${c.name} → ${logged} (upload cut): ${problems.join(", ")}`, evidence);
      return res;
    }
    if (res.status === 0) problems.push("no HTTP answer");
    if (res.status >= 500) problems.push("5xx");
    const html = path.startsWith("/r/") && res.contentType.includes("text/html");
    const needsEnvelope = res.status >= 400 && c.method !== "HEAD" && !html;
    if (needsEnvelope && !isEnvelopeBody(res.body)) problems.push("not in the error envelope");
    if (res.text.includes(SETTINGS.apiKey) || res.text.includes(SETTINGS.tokenSecret))
      problems.push("leaks a secret");
    if (res.status >= 400 && STACK.test(res.text)) problems.push("leaks a stack trace");
    if (c.expect && !c.expect.includes(res.status)) problems.push(`expected ${c.expect.join("/")}`);
    t.check(problems.length === 0, `${what}: ${problems.join(", ")}`, evidence);
    return res;
  };
}

const isEnvelopeBody = (b) => typeof b?.error?.code === "string" && typeof b.error.message === "string";

/** Runs the bad-input scenario. */
export async function badInputScenario(server, api) {
  const t = tally("bad input");
  const start = async () =>
    (await api.post("/v1/executions", { workflow_id: "rel-human", inputs: {}, profile: {} })).body;
  const target = await start();
  const other = await start();
  const ctx = {
    runId: target.run_id,
    token: () => target.waiting.resume_token,
    otherToken: () => other.waiting.resume_token,
  };
  const send = sender(server, api, t, ctx);
  const helpers = {
    sleep,
    timed: async (path) => {
      const t0 = Date.now();
      await api.get(path, { timeoutMs: 10_000 });
      return Date.now() - t0;
    },
    waitFor: async (runId, done, ms) => {
      const deadline = Date.now() + ms;
      let s;
      do {
        s = (await api.get(`/v1/executions/${runId}`)).body;
        if (s && done(s)) return s;
        await sleep(300);
      } while (Date.now() < deadline);
      return s;
    },
  };

  const requests = [
    ...authCases(ctx),
    ...pathCases(),
    ...queryCases(),
    ...routeCases(),
    ...headerCases(),
    ...startCases(),
    ...resumeDataCases(ctx.token),
    ...tokenCases(ctx),
    ...definitionCases(),
  ];
  const t0 = Date.now();
  await pool(
    requests.filter((c) => !c.solo),
    4,
    send,
  );
  const t1 = Date.now();
  t.note(`single requests took ${((t1 - t0) / 1000).toFixed(1)} s`);
  // Independent flows run three at a time; the pattern flow blocks the isolate, so it runs alone, last.
  const flows = [...roundTripFlows(), ...storageFlows(), ...celFlows(), ...mustacheFlows()];
  const slow = [];
  const runFlow = async (f) => {
    const started = Date.now();
    try {
      await f.flow(send, t, helpers);
    } catch (e) {
      t.check(false, `${f.name}: the flow ran`, e instanceof Error ? e.stack : String(e));
    }
    if (Date.now() - started > 5000) slow.push(`${f.name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  await pool(flows, 3, runFlow);
  for (const f of patternFlow()) await runFlow(f);
  if (slow.length > 0) t.note(`slow flows: ${slow.join("; ")}`);

  // The target run took every hostile resume and must be exactly where it was: waiting, token unused.
  const after = await api.get(`/v1/executions/${ctx.runId}`);
  t.check(
    after.body?.status === "waiting" && after.body.current_step === "ask",
    "the target run is still waiting at its form",
    after.text,
  );
  const ok = await api.post(`/v1/executions/${ctx.runId}/resume`, {
    token: ctx.token(),
    data: { note: "finally", score: 10 },
  });
  t.check(
    ok.status === 200 && ok.body.current_step === "done",
    "its real token still works after all the forgeries",
    ok.text,
  );
  const health = await api.get("/health");
  t.check(health.status === 200, "the Worker is healthy after the barrage", health.text);
  // Last, alone: when the Worker refuses a streamed body early, wrangler dev's proxy (not the Worker)
  // answers concurrent POSTs 503 "worker restarted mid-request" and may stall for a while.
  for (const c of requests.filter((r) => r.solo)) await send(c);
  t.note(
    `${requests.length} single requests and ${flows.length + 1} multi-request flows (${t.tried} checks in all)`,
  );
  return t;
}

import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { api, envelope } from "../helpers/api";
import { getRun } from "../helpers/runs";

// Standard Webhooks secrets are base64 after the whsec_ prefix.
const SECRET = `whsec_${btoa("intake-secret-0123456789abcdef!!")}`;
const OLD_SECRET = `whsec_${btoa("the-secret-before-the-rotation!!")}`;
const OTHER = `whsec_${btoa("someone-else-entirely-0123456789")}`;
const SECRETS = `intake=${SECRET},${OLD_SECRET};no-trigger=${SECRET};ghost=${SECRET}`;

const intakeYaml = (id: string, triggers = "triggers:\n  - webhook: {}\n") => `
id: ${id}
name: Intake ${id}
inputs:
  type: object
  required: [email]
  properties: { email: { type: string, format: email }, note: { type: string } }
${triggers}
start_step: triage
steps:
  - id: triage
    type: approval
    approvers: ["ops@example.com"]
`;

const app = createApp();

interface Post {
  id?: string;
  body?: string;
  secret?: string;
  at?: Date;
  headers?: Record<string, string>;
  bindings?: Partial<Env>;
}

/** Posts to /hooks/{workflow} signed as a Standard Webhooks sender would, through the app's handler. */
async function post(workflow: string, p: Post = {}) {
  const id = p.id ?? `msg_${crypto.randomUUID()}`;
  const body = p.body ?? JSON.stringify({ email: "ann@example.com" });
  const at = p.at ?? new Date();
  const signature = new Webhook(p.secret ?? SECRET).sign(id, at, body);
  const headers = {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
    ...p.headers,
  };
  const res = await app.request(
    `https://scaff.test/hooks/${workflow}`,
    { method: "POST", headers, body },
    { ...env, WEBHOOK_SECRETS: SECRETS, ...p.bindings },
  );
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

describe("webhook triggers", () => {
  it("a signed post starts a run with the body as its inputs (202); the same webhook-id answers that run", async () => {
    expect((await api("POST", "/v1/workflows", { yaml: intakeYaml("intake") })).status).toBe(201);
    const body = JSON.stringify({ email: "ann@example.com", note: "from the site" });
    const first = await post("intake", { id: "msg_same", body });
    expect(first.status, first.text).toBe(202);
    expect(first.body).toMatchObject({ workflow_id: "intake", status: "waiting", current_step: "triage" });
    const runId = first.body.run_id as string;
    expect(first.headers.get("location")).toBe(`/v1/executions/${runId}`);
    const ctx = await api<{ runtime: unknown }>("GET", `/v1/executions/${runId}/context`);
    expect(ctx.body.runtime).toEqual({ email: "ann@example.com", note: "from the site" });

    // The sender retries: same id and body, a new timestamp and signature. Same run, nothing new.
    const retry = await post("intake", { id: "msg_same", body, at: new Date(Date.now() + 1000) });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body.run_id).toBe(runId);
    // Signed by the secret being rotated out: still accepted.
    const rotated = await post("intake", { id: "msg_same", body, secret: OLD_SECRET });
    expect(rotated.body.run_id).toBe(runId);
    // The same id with another body is not a retry.
    const other = await post("intake", {
      id: "msg_same",
      body: JSON.stringify({ email: "bob@example.com" }),
    });
    expect(other.status).toBe(422);
    expect(envelope(other).code).toBe("idempotency_mismatch");
    expect((await getRun(runId)).body.status).toBe("waiting");
  });

  it("answers 401 for a bad signature, a stale or future timestamp, and missing headers; no run starts", async () => {
    const cases: Array<[string, Post, RegExp]> = [
      ["wrong secret", { secret: OTHER }, /matches no secret/],
      ["stale", { at: new Date(Date.now() - 10 * 60_000) }, /more than 5 minutes/],
      ["future", { at: new Date(Date.now() + 10 * 60_000) }, /more than 5 minutes/],
      ["no signature", { headers: { "webhook-signature": "" } }, /are required/],
      ["not a time", { headers: { "webhook-timestamp": "yesterday" } }, /Unix time/],
      ["tampered", { headers: { "webhook-signature": "v1,AAAA" } }, /matches no secret/],
    ];
    for (const [name, p, message] of cases) {
      const id = `msg_bad_${name.replace(/ /g, "_")}`;
      const res = await post("intake", { ...p, id });
      expect(res.status, name).toBe(401);
      expect(envelope(res), name).toMatchObject({
        code: "unauthorized",
        message: expect.stringMatching(message),
      });
      // Properly signed afterwards, the same id starts a run: the refused post left nothing behind.
      const ok = await post("intake", { id });
      expect(ok.status, name).toBe(202);
    }
  });

  it("refuses bad input with clear 4xx: not JSON 400, not an object or invalid inputs 422", async () => {
    const notJson = await post("intake", { body: "{email:" });
    expect(notJson.status).toBe(400);
    expect(envelope(notJson).code).toBe("bad_request");
    const list = await post("intake", { body: "[1,2]" });
    expect(list.status).toBe(422);
    expect(envelope(list).details).toEqual([{ path: "inputs", message: "must be a JSON object" }]);
    const invalid = await post("intake", { body: JSON.stringify({ email: "not-an-address" }) });
    expect(invalid.status).toBe(422);
    expect(envelope(invalid).details?.[0]).toMatchObject({ path: "inputs.email" });
    const tooLong = await post("intake", { id: "x".repeat(300) });
    expect(tooLong.status).toBe(400);
    expect(envelope(tooLong).details?.[0]).toMatchObject({ path: "webhook-id" });
  });

  it("answers 404 for a workflow without a webhook trigger, without a secret, or deleted", async () => {
    await api("POST", "/v1/workflows", { yaml: intakeYaml("no-trigger", "") });
    const none = await post("no-trigger");
    expect(none.status).toBe(404);
    expect(envelope(none).message).toMatch(/no webhook trigger/);
    const unconfigured = await post("intake", { bindings: { WEBHOOK_SECRETS: "" } });
    expect(unconfigured.status).toBe(404);
    expect(envelope(unconfigured).message).toMatch(/no webhook configured/);
    await api("POST", "/v1/workflows", { yaml: intakeYaml("ghost") });
    expect((await post("ghost")).status).toBe(202);
    await api("DELETE", "/v1/workflows/ghost");
    expect((await post("ghost")).status).toBe(404);
  });

  it("names a malformed WEBHOOK_SECRETS instead of guessing", async () => {
    const res = await post("intake", { bindings: { WEBHOOK_SECRETS: "intake" } });
    expect(res.status).toBe(500);
    expect(envelope(res)).toMatchObject({ code: "misconfigured", message: expect.stringMatching(/entry 1/) });
  });

  it("is served by the Worker without an API key, bounded like the API", async () => {
    const res = await api("POST", "/hooks/intake", { key: null, json: {} });
    // No WEBHOOK_SECRETS in the test Worker's bindings: nothing is configured, and no key was asked for.
    expect(res.status).toBe(404);
    const big = await api("POST", "/hooks/intake", { key: null, body: "x".repeat(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
  });
});

import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { newKey, SECRET, wire, wireOf } from "./wire";

// What a workflow author sees: a secret in a URL is refused when the workflow is saved; a run that
// would send a secret to a host SECRETS_ALLOWED_HOSTS does not list fails its step.

interface Details {
  error: { code: string; details: Array<{ path: string; message: string }> };
}

const workflow = (id: string, call: string): string => `
id: ${id}
name: ${id}
start_step: call
steps:
  - id: call
    type: api_call
    method: POST
${call}`;

describe("saving an api_call with a secret in its URL", () => {
  it("is refused with 422 and the path of each url or query that uses {{secrets.*}}", async () => {
    const yaml = workflow(
      "secret-in-url",
      [
        `    url: "https://api.example.test/{{{secrets.TOKEN}}}?a={{secrets.A}}&b={{& secrets.B}}"`,
        `    query: { t: "{{#secrets}}{{TOKEN}}{{/secrets}}", ok: "{{runtime.x}}" }`,
        `    headers: { Authorization: "Bearer {{secrets.TOKEN}}" }`,
        `    body: { token: "{{secrets.TOKEN}}" }`,
      ].join("\n"),
    );
    for (const path of ["/v1/workflows/validate", "/v1/workflows"]) {
      const res = await api<Details>("POST", path, { yaml });
      expect(res.status, res.text).toBe(422);
      const issues = res.body.error.details;
      expect(issues.map((i) => i.path)).toEqual(["steps[0].url", "steps[0].query.t"]);
      for (const issue of issues) expect(issue.message).toMatch(/secret.*URL/i);
    }
  });

  it("finds a secret however deep in sections it hides", async () => {
    const open = "{{#runtime.a}}".repeat(40);
    const close = "{{/runtime.a}}".repeat(40);
    const yaml = workflow(
      "secret-deep-in-url",
      `    url: "https://api.example.test/${open}{{secrets.T}}${close}"`,
    );
    const res = await api<Details>("POST", "/v1/workflows/validate", { yaml });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.details.map((i) => i.path)).toEqual(["steps[0].url"]);
  });

  it("accepts secrets in headers and the body", async () => {
    const yaml = workflow(
      "secret-in-header",
      [
        `    url: "https://api.example.test/items"`,
        `    headers: { Authorization: "Bearer {{{secrets.TOKEN}}}" }`,
        `    body: { token: "{{secrets.TOKEN}}" }`,
      ].join("\n"),
    );
    const res = await api("POST", "/v1/workflows/validate", { yaml });
    expect(res.status, res.text).toBe(200);
  });
});

describe("a run whose api_call would send a secret to an unlisted host", () => {
  it("fails the step with secret_not_allowed and sends nothing", async () => {
    const key = newKey("run-unlisted");
    // The tests allow TEST_TOKEN to 127.0.0.1 only; localhost is another host.
    const url = wire.replace("127.0.0.1", "localhost");
    const yaml = workflow(
      "secret-unlisted-host",
      [
        `    url: "${url}/rec/${key}"`,
        `    headers: { Authorization: "Bearer {{secrets.TEST_TOKEN}}" }`,
      ].join("\n"),
    );
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await api<{ run_id: string; status: string }>("POST", "/v1/executions", {
      json: { workflow_id: "secret-unlisted-host", inputs: {} },
    });
    expect(run.body.status).toBe("failed");
    const status = await api<{ error: { code: string; message: string; step_id: string } }>(
      "GET",
      `/v1/executions/${run.body.run_id}`,
    );
    expect(status.body.error).toMatchObject({ code: "secret_not_allowed", step_id: "call" });
    expect(status.body.error.message).toContain("TEST_TOKEN");
    const events = await api("GET", `/v1/executions/${run.body.run_id}/events`);
    const history = await api("GET", `/v1/executions/${run.body.run_id}/history`);
    expect(events.text + history.text + status.text).not.toContain(SECRET);
    expect(await wireOf(key)).toEqual([]);
  });
});

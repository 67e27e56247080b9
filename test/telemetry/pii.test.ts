import { exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/lib/logger";
import { maskEmail, maskPii } from "../../src/lib/pii";
import { API_KEY, api, BASE } from "../helpers/api";
import { httpServerBase } from "../helpers/fake-servers";
import { resumeRun, startedRun } from "../helpers/runs";

// Personal data in events and logs: email addresses masked, answers to sensitive fields redacted.

const SSN = "123-45-6789";
const EMAIL = "ann.person@acme.test";

const FLOW = `
id: pii-flow
name: PII flow
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "{{profile.email}}"
    fields:
      - { name: ssn, type: string, sensitive: true }
      - { name: note, type: string }
    output: answers
    next: lookup
  - id: lookup
    type: api_call
    method: GET
    url: "${httpServerBase}/status/404/{{runtime.answers.ssn}}"
`;

let logged: string[] = [];

function captureLogs(): void {
  logged = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

beforeAll(async () => {
  const saved = await api("POST", "/v1/workflows", { yaml: FLOW });
  expect(saved.status, saved.text).toBe(201);
});

describe("masking", () => {
  it("masks addresses to their first character and domain, and redacts sensitive answers in every string", () => {
    expect(maskEmail(EMAIL)).toBe("a***@acme.test");
    expect(
      maskPii(
        {
          to: EMAIL,
          message: `GET /users/${SSN} for ${EMAIL}`,
          list: [`x ${encodeURIComponent(SSN)}`],
          n: 3,
        },
        [SSN],
      ),
    ).toEqual({
      to: "a***@acme.test",
      message: "GET /users/[redacted] for a***@acme.test",
      list: ["x [redacted]"],
      n: 3,
    });
  });
});

describe("log lines", () => {
  it("mask every email address, wherever it is in the line", () => {
    captureLogs();
    createLogger("info", { principal: EMAIL }).warn(`mail to ${EMAIL} bounced`, { reason: { to: [EMAIL] } });
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain(EMAIL);
    expect(JSON.parse(logged[0] ?? "{}")).toMatchObject({
      msg: "mail to a***@acme.test bounced",
      principal: "a***@acme.test",
      reason: { to: ["a***@acme.test"] },
    });
  });

  it("name a request by its path only: no query string, no link token", async () => {
    captureLogs();
    const token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWxpbms.c2lnbmF0dXJl";
    const page = await exports.default.fetch(new Request(`${BASE}/r/${token}?note=${SSN}`));
    await page.body?.cancel();
    const list = await exports.default.fetch(
      new Request(`${BASE}/v1/executions?key=${SSN}`, { headers: { authorization: `Bearer ${API_KEY}` } }),
    );
    await list.body?.cancel();
    const requests = logged
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as { msg?: string; path?: string; status?: number })
      .filter((line) => line.msg === "request");
    expect(requests.map((r) => r.path)).toEqual(["/r/[token]", "/v1/executions"]);
    expect(requests[0]?.status).toBe(page.status);
    expect(logged.join("\n")).not.toContain(token);
    expect(logged.join("\n")).not.toContain(SSN);
  });
});

describe("a run's events and logs", () => {
  it("never show an email address or a sensitive answer; the run's context keeps them", async () => {
    captureLogs();
    const run = await startedRun("pii-flow", { profile: { email: EMAIL } });
    const done = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { ssn: SSN, note: "hello" });
    expect(done.body.status, JSON.stringify(done.body)).toBe("failed");
    // The api_call's error names the request's path, which held the answer.
    expect(done.body.error?.message).toContain(SSN);

    const events = await api<{ items: Array<{ type: string; data?: Record<string, unknown> }> }>(
      "GET",
      `/v1/executions/${run.run_id}/events`,
    );
    const text = JSON.stringify(events.body);
    expect(text).not.toContain(SSN);
    expect(text).not.toContain(EMAIL);
    const queued = events.body.items.find((e) => e.type === "mail.queued");
    expect(queued?.data?.to).toBe("a***@acme.test");
    const failed = events.body.items.find((e) => e.type === "step.failed");
    expect(JSON.stringify(failed?.data)).toContain("/status/404/[redacted]");

    const logs = logged.join("\n");
    expect(logs).not.toContain(EMAIL);
    expect(logs).not.toContain(SSN);

    const ctx = await api<{ runtime: { answers: Record<string, unknown> } }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.answers).toEqual({ ssn: SSN, note: "hello" });
    // The form's definition says which field is sensitive, for whoever renders it.
    expect(run.waiting?.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "ssn", sensitive: true })]),
    );
  });
});

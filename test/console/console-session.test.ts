import { describe, expect, inject, it } from "vitest";
import { api } from "../helpers/api";
import { query } from "../helpers/html";
import { indexSettled } from "../helpers/run-db";
import { startedRun } from "../helpers/runs";
import { Browser, csrfOf } from "./browser";

const ADMIN = "test-key-123";
const OPERATOR = "operator-key-789";
const READER = "reader-key-000";

const waitingWorkflow = `
id: console-session
name: Console session check
start_step: ask
steps:
  - id: ask
    type: form
    assignee: "ada@example.test"
    fields:
      - { name: note, type: string }
`;

async function waitingRun(): Promise<string> {
  await api("POST", "/v1/workflows", { yaml: waitingWorkflow });
  const run = await startedRun("console-session");
  await indexSettled(run.run_id);
  return run.run_id;
}

describe("console sign-in", () => {
  it("sends a visitor without a session to sign in, and back where they were going afterwards", async () => {
    const b = new Browser();
    const first = await b.get("/console/runs?status=failed");
    expect(first.status).toBe(303);
    expect(first.location).toBe("/console/sign-in?next=%2Fconsole%2Fruns%3Fstatus%3Dfailed");

    const signed = await b.signIn(ADMIN, "/console/runs?status=failed");
    expect(signed.status).toBe(303);
    expect(signed.location).toBe("/console/runs?status=failed");
    const page = await b.get("/console/runs?status=failed");
    expect(page.status).toBe(200);
    expect(page.html).toContain("tester (admin)");
  });

  it("sets a signed session cookie: HttpOnly, SameSite=Strict, Secure, 12 hours, console paths only", async () => {
    const b = new Browser();
    const page = await b.get("/console/sign-in");
    const res = await b.post("/console/sign-in", { _csrf: await csrfOf(page.html), api_key: ADMIN });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("scaff_session="));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(cookie).toMatch(/; Path=\/console/);
  });

  it("leaves Secure off on http://127.0.0.1 (where the browser would drop it), and only there", async () => {
    const b = new Browser("http://127.0.0.1:8787");
    const page = await b.get("/console/sign-in");
    const res = await b.post("/console/sign-in", { _csrf: await csrfOf(page.html), api_key: ADMIN });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("scaff_session=")) ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toMatch(/Secure/);
  });

  it("refuses a wrong key with the form again (401) and a sign-in post without its CSRF token (403)", async () => {
    const b = new Browser();
    const page = await b.get("/console/sign-in");
    const wrong = await b.post("/console/sign-in", {
      _csrf: await csrfOf(page.html),
      api_key: "not-a-key-at-all",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain("That API key is not valid.");
    expect(b.cookies.has("scaff_session")).toBe(false);

    const noToken = await b.post("/console/sign-in", { api_key: ADMIN });
    expect(noToken.status).toBe(403);
    const otherBrowser = new Browser();
    const stolenToken = await otherBrowser.post("/console/sign-in", {
      _csrf: await csrfOf(page.html),
      api_key: ADMIN,
    });
    expect(stolenToken.status).toBe(403);
    expect(otherBrowser.cookies.has("scaff_session")).toBe(false);
  });

  it("never redirects to another site after sign-in", async () => {
    const b = new Browser();
    const res = await b.signIn(ADMIN, "//evil.example/console");
    expect(res.location).toBe("/console/runs");
  });

  it("treats a forged, altered or foreign cookie as no session", async () => {
    const b = new Browser();
    await b.signIn(ADMIN);
    const real = b.cookies.get("scaff_session") ?? "";
    const [h, p] = real.split(".");
    b.cookies.set("scaff_session", `${h}.${p}.AAAA`);
    expect((await b.get("/console/runs")).status).toBe(303);
    b.cookies.set("scaff_session", "garbage");
    expect((await b.get("/console/runs")).status).toBe(303);
  });

  it("ends a session whose key was removed or changed", async () => {
    const b = new Browser("https://scaff.test", {});
    await b.signIn(OPERATOR);
    expect((await b.get("/console/runs")).status).toBe(200);
    const changed = new Browser("https://scaff.test", {
      API_KEYS: "tester:test-key-123,ops:a-new-operator-key:operator",
    });
    for (const [k, v] of b.cookies) changed.cookies.set(k, v);
    expect((await changed.get("/console/runs")).status).toBe(303);
  });

  it("signs out with the session's CSRF token, and refuses a sign-out post without it (403)", async () => {
    const b = new Browser();
    await b.signIn(ADMIN);
    const page = await b.get("/console/runs");
    const forged = await b.post("/console/sign-out", {});
    expect(forged.status).toBe(403);
    expect(forged.html).toContain("This form has expired");
    expect((await b.get("/console/runs")).status).toBe(200);

    const out = await b.post("/console/sign-out", { _csrf: await csrfOf(page.html) });
    expect(out.status).toBe(303);
    expect(out.location).toBe("/console/sign-in?signed_out=1");
    expect(b.cookies.has("scaff_session")).toBe(false);
    expect((await b.get("/console/runs")).status).toBe(303);
  });

  it("refuses a post from another site even with a valid token (403)", async () => {
    const b = new Browser();
    await b.signIn(ADMIN);
    const page = await b.get("/console/runs");
    const res = await b.request("POST", "/console/sign-out", {
      form: { _csrf: await csrfOf(page.html) },
      headers: { "sec-fetch-site": "cross-site" },
    });
    expect(res.status).toBe(403);
  });

  it("answers a post without a session with 401, not a redirect", async () => {
    const res = await new Browser().post("/console/runs/run_00000000000000000000000000/cancel", {});
    expect(res.status).toBe(401);
  });
});

describe("console roles", () => {
  it("lets an operator cancel a run, and shows a reader no cancel button and refuses its post (403)", async () => {
    const runId = await waitingRun();
    const reader = new Browser();
    await reader.signIn(READER);
    const seen = await reader.get(`/console/runs/${runId}`);
    expect(seen.status).toBe(200);
    expect(await query(seen.html, `form[action='/console/runs/${runId}/cancel']`)).toHaveLength(0);
    expect(seen.html).toContain("Your role (reader) may not cancel runs.");
    const refused = await reader.post(`/console/runs/${runId}/cancel`, { _csrf: await csrfOf(seen.html) });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("may not cancel runs");
    expect((await api<{ status: string }>("GET", `/v1/executions/${runId}`)).body.status).toBe("waiting");

    const operator = new Browser();
    await operator.signIn(OPERATOR);
    const page = await operator.get(`/console/runs/${runId}`);
    const noToken = await operator.post(`/console/runs/${runId}/cancel`, {});
    expect(noToken.status).toBe(403);
    const done = await operator.post(`/console/runs/${runId}/cancel`, { _csrf: await csrfOf(page.html) });
    expect(done.status).toBe(303);
    expect((await operator.get(done.location ?? "")).html).toContain("The run was cancelled.");
    expect((await api<{ status: string }>("GET", `/v1/executions/${runId}`)).body.status).toBe("cancelled");
  });
});

describe("console behind Cloudflare Access", () => {
  const aud = "console-aud-123";
  const access = () => ({ CF_ACCESS_TEAM_DOMAIN: inject("accessUrl"), CF_ACCESS_AUD: aud });
  const assertion = async (params: Record<string, string>) =>
    (await fetch(`${inject("accessUrl")}/sign?${new URLSearchParams(params)}`)).text();

  it("signs a valid Access user in as their email with the operator role, and keeps them signed in", async () => {
    const b = new Browser("https://scaff.test", access());
    const jwt = await assertion({ email: "grace@example.test", aud });
    const page = await b.get("/console/runs", { "cf-access-jwt-assertion": jwt });
    expect(page.status).toBe(200);
    expect(page.html).toContain("grace@example.test (operator)");
    expect(b.cookies.has("scaff_session")).toBe(true);
    expect((await b.get("/console/workflows")).status).toBe(200);
  });

  it("gives the role CF_ACCESS_ROLE names", async () => {
    const b = new Browser("https://scaff.test", { ...access(), CF_ACCESS_ROLE: "reader" });
    const page = await b.get("/console/runs", {
      "cf-access-jwt-assertion": await assertion({ email: "r@example.test", aud }),
    });
    expect(page.html).toContain("r@example.test (reader)");
  });

  it("refuses an assertion for another audience, an expired one and one the team's keys did not sign", async () => {
    const cases: Array<Record<string, string>> = [
      { email: "x@example.test", aud: "another-app" },
      { email: "x@example.test", aud, ttl: "-120" },
      { email: "x@example.test", aud, forge: "1" },
    ];
    for (const params of cases) {
      const b = new Browser("https://scaff.test", access());
      const page = await b.get("/console/runs", { "cf-access-jwt-assertion": await assertion(params) });
      expect(page.status, JSON.stringify(params)).toBe(303);
      expect(b.cookies.has("scaff_session")).toBe(false);
    }
  });

  it("ignores the header when Access is not configured", async () => {
    const jwt = await assertion({ email: "grace@example.test", aud });
    const page = await new Browser().get("/console/runs", { "cf-access-jwt-assertion": jwt });
    expect(page.status).toBe(303);
  });

  it("answers a misconfigured team domain with a page, not a crash", async () => {
    const b = new Browser("https://scaff.test", {
      CF_ACCESS_TEAM_DOMAIN: "http://team.example.com",
      CF_ACCESS_AUD: aud,
    });
    const page = await b.get("/console/runs", { "cf-access-jwt-assertion": "x.y.z" });
    expect(page.status).toBe(500);
    expect(page.headers.get("content-type")).toContain("text/html");
  });
});

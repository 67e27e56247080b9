import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { type ApiResponse, api, BASE } from "../helpers/api";
import { query } from "../helpers/html";
import { runDb } from "../helpers/run-db";
import { getRun, startedRun } from "../helpers/runs";
import { claimsOf, expiredCopy, tamperedCopy, unknownCopy } from "../helpers/tokens";
import { mailedToken, page, recorded, runtime, textOf } from "./link-helpers";

// A post is briefed by its author (form, emailed to the author) and signed off by either of two editors.
const PAGE_FLOW = `
id: page-flow
name: Blog post
start_step: brief
steps:
  - id: brief
    type: form
    title: What should we write?
    description: Tell us the topic and who it is for.
    assignee: "{{profile.email}}"
    fields:
      - { name: topic, type: string, label: Topic, required: true, min_length: 3, max_length: 200 }
      - { name: audience, type: string, enum: [developers, executives], default: developers }
      - { name: words, type: integer, label: Word count, minimum: 100, maximum: 2000 }
      - { name: contact, type: string, format: email, help: We reply here. }
      - { name: urgent, type: boolean, label: Urgent? }
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test", "chief@acme.test"]
    instructions: "Approve the post about {{runtime.topic}} for {{runtime.audience}}?"
    show: [runtime.topic, runtime.audience]
    output: review
`;

// Everything a hostile user controls: workflow name, step title, field label, instructions, runtime values.
const XSS_FLOW = `
id: xss-flow
name: "<script>alert('name')</script>"
start_step: ask
steps:
  - id: ask
    type: form
    title: "<script>alert('title')</script>"
    assignee: "{{profile.email}}"
    fields:
      - { name: note, type: string, label: "\\"><script>alert('label')</script>", required: true, min_length: 50 }
    next: check
  - id: check
    type: approval
    approvers: ["{{profile.email}}"]
    instructions: "<script>alert('instructions')</script> {{runtime.note}} {{{runtime.payload}}}"
    show: [runtime.payload, runtime.note]
`;

async function tokenRow(token: string) {
  const claims = await claimsOf(token);
  return runDb(claims.runId)
    .prepare("SELECT used_at, revoked_at FROM resume_tokens WHERE jti = ?")
    .bind(claims.jti)
    .first<{ used_at: number | null; revoked_at: number | null }>();
}

function expectPageHeaders(res: ApiResponse) {
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("content-security-policy")).toContain("form-action 'self'");
}

beforeAll(async () => {
  for (const yaml of [PAGE_FLOW, XSS_FLOW]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("the author's form link", () => {
  it("GET and HEAD show the form and never use the link; invalid input keeps it; a valid post uses it once", async () => {
    const run = await startedRun("page-flow", { profile: { email: "ann@acme.test" } });
    const token = await mailedToken(run.run_id, "brief", "ann@acme.test");

    // Mail scanners prefetch links: any number of GETs and HEADs change nothing.
    for (let i = 0; i < 2; i++) {
      const get = await page("GET", token);
      expect(get.status).toBe(200);
      expectPageHeaders(get);
      const head = await page("HEAD", token);
      expect(head.status).toBe(200);
      expect(head.text).toBe("");
      expectPageHeaders(head);
    }
    expect(await tokenRow(token)).toEqual({ used_at: null, revoked_at: null });
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "brief" });

    const html = (await page("GET", token, { query: "?done=1" })).text; // done=1 on an open link: still the form
    expect((await query(html, "form"))[0]?.attrs).toMatchObject({ method: "post", action: `/r/${token}` });
    expect((await query(html, "h1"))[0]?.text).toBe("What should we write?");
    expect(await textOf(html)).toContain("Workflow: Blog post");
    expect(await textOf(html)).toContain("Tell us the topic and who it is for.");
    const controls = await query(html, "form [name]");
    expect(controls.map((c) => [c.attrs.name, c.tag, c.attrs.type ?? ""])).toEqual([
      ["topic", "input", "text"],
      ["audience", "select", ""],
      ["words", "input", "number"],
      ["contact", "input", "email"],
      ["urgent", "input", "checkbox"],
    ]);
    expect((await query(html, `select[name="audience"] option[selected]`))[0]?.attrs.value).toBe(
      "developers",
    );
    expect((await query(html, `[name="topic"]`))[0]?.attrs).toMatchObject({ required: "", minlength: "3" });
    expect(await textOf(html, "label")).toContain("Word count");

    // Invalid: too short a topic, words out of range, a typo'd email. The page says what is wrong per field.
    const bad = await page("POST", token, {
      form: { topic: "ab", audience: "executives", words: "50", contact: "not-an-email", urgent: "on" },
    });
    expect(bad.status).toBe(422);
    expectPageHeaders(bad);
    const errors = await query(bad.text, "p.error");
    expect(errors.map((e) => e.text)).toEqual([
      "Enter at least 3 characters.",
      "Enter 100 or more.",
      "Enter an email address.",
    ]);
    expect((await query(bad.text, `[name="topic"]`))[0]?.attrs).toMatchObject({
      value: "ab",
      "aria-invalid": "true",
    });
    expect((await query(bad.text, `[name="words"]`))[0]?.attrs.value).toBe("50");
    expect((await query(bad.text, `[name="contact"]`))[0]?.attrs.value).toBe("not-an-email");
    expect((await query(bad.text, `[name="urgent"]`))[0]?.attrs.checked).toBe("");
    expect((await query(bad.text, `select[name="audience"] option[selected]`))[0]?.attrs.value).toBe(
      "executives",
    );
    expect(await tokenRow(token)).toEqual({ used_at: null, revoked_at: null });
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "brief" });

    // A missing required field, as a browser without validation would post it.
    const missing = await page("POST", token, { form: { words: "" } });
    expect(missing.status).toBe(422);
    expect((await query(missing.text, "p.error")).map((e) => e.text)).toEqual(["This field is required."]);

    const ok = await page("POST", token, {
      form: { topic: "Durable Objects", audience: "developers", words: "800", contact: "ann@acme.test" },
    });
    expect(ok.status, ok.text).toBe(303);
    expect(ok.headers.get("location")).toBe(`/r/${token}?done=1`);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect((await tokenRow(token))?.used_at).toEqual(expect.any(Number));
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "review" });
    expect(await runtime(run.run_id)).toMatchObject({
      topic: "Durable Objects",
      audience: "developers",
      words: 800,
      contact: "ann@acme.test",
      urgent: false,
    });

    const thanks = await page("GET", token, { query: "?done=1" });
    expect(thanks.status).toBe(200);
    expect((await query(thanks.text, "h1"))[0]?.text).toBe("Thank you");
    expect(await recorded(thanks.text)).toEqual({
      Topic: "Durable Objects",
      audience: "developers",
      "Word count": "800",
      contact: "ann@acme.test",
      "Urgent?": "No",
    });

    // Opening the link later, or submitting again (back button, double click): what was recorded, not an error.
    const again = await page("GET", token);
    expect(again.status).toBe(409);
    expect((await query(again.text, "h1"))[0]?.text).toBe("Already recorded");
    expect((await recorded(again.text)).Topic).toBe("Durable Objects");
    const resubmit = await page("POST", token, { form: { topic: "Something else entirely" } });
    expect(resubmit.status).toBe(409);
    expectPageHeaders(resubmit);
    expect((await query(resubmit.text, "h1"))[0]?.text).toBe("Already recorded");
    expect((await recorded(resubmit.text)).Topic).toBe("Durable Objects");
    expect((await runtime(run.run_id)).topic).toBe("Durable Objects");
  });
});

/** Starts a page-flow run and answers its form through the page; returns the run id. */
async function atReview(email: string, topic: string): Promise<string> {
  const run = await startedRun("page-flow", { profile: { email } });
  const token = await mailedToken(run.run_id, "brief", email);
  const res = await page("POST", token, { form: { topic } });
  expect(res.status, res.text).toBe(303);
  return run.run_id;
}

describe("the editors' approval links", () => {
  it("shows the instructions and the shown values; approving with a comment records the editor", async () => {
    const runId = await atReview("bob@acme.test", "Queues & retries");
    const editor = await mailedToken(runId, "review", "editor@acme.test");
    const chief = await mailedToken(runId, "review", "chief@acme.test");

    const view = await page("GET", editor);
    expect(view.status).toBe(200);
    expect(await textOf(view.text, "section[aria-labelledby=instructions-heading] p")).toBe(
      "Approve the post about Queues & retries for developers?",
    );
    expect(await recorded(view.text)).toEqual({
      "runtime.topic": "Queues & retries",
      "runtime.audience": "developers",
    });
    expect(await textOf(view.text)).toContain("You are responding as editor@acme.test.");
    const buttons = await query(view.text, "button[name=decision]");
    expect(buttons.map((b) => b.attrs.value)).toEqual(["approved", "rejected"]);
    expect((await query(view.text, "textarea[name=comment]")).length).toBe(1);

    // No decision (a browser without buttons' values): asked again, the comment kept, the link still unused.
    const undecided = await page("POST", editor, { form: { comment: "Looks <good>" } });
    expect(undecided.status).toBe(422);
    expect(await textOf(undecided.text, ".alert")).toContain("Choose Approve or Reject.");
    expect((await query(undecided.text, "textarea"))[0]?.text).toBe("Looks <good>");
    expect(await tokenRow(editor)).toEqual({ used_at: null, revoked_at: null });

    const approved = await page("POST", editor, { form: { decision: "approved", comment: "Ship it" } });
    expect(approved.status).toBe(303);
    expect((await getRun(runId)).body).toMatchObject({ status: "completed", current_step: null });
    expect((await runtime(runId)).review).toMatchObject({
      decision: "approved",
      approver: "editor@acme.test",
      comment: "Ship it",
    });

    const thanks = await page("GET", editor, { query: "?done=1" });
    expect(thanks.status).toBe(200);
    expect(await recorded(thanks.text)).toMatchObject({ Decision: "Approved", Comment: "Ship it" });

    // The other editor's link: the request is answered by someone else; they see neither who nor how.
    const late = await page("GET", chief);
    expect(late.status).toBe(409);
    expect((await query(late.text, "h1"))[0]?.text).toBe("This request is no longer open");
    expect(await textOf(late.text)).toContain("Someone else already responded");
    expect(await recorded(late.text)).toEqual({});
    const lateVote = await page("POST", chief, { form: { decision: "rejected" } });
    expect(lateVote.status).toBe(409);
    expect((await runtime(runId)).review).toMatchObject({ decision: "approved" });
    expect(await tokenRow(chief)).toMatchObject({ used_at: null, revoked_at: expect.any(Number) });
  });

  it("rejecting ends the run as rejected, recorded with the comment", async () => {
    const runId = await atReview("rita@acme.test", "Not this one");
    const chief = await mailedToken(runId, "review", "chief@acme.test");
    const res = await page("POST", chief, { form: { decision: "rejected", comment: "Off-topic" } });
    expect(res.status).toBe(303);
    expect((await getRun(runId)).body.status).toBe("rejected");
    expect((await runtime(runId)).review).toMatchObject({
      approver: "chief@acme.test",
      comment: "Off-topic",
    });
  });
});

describe("links that cannot be used", () => {
  it("answers 410 for an expired link and 401 for garbage, a tampered or an unknown token", async () => {
    const run = await startedRun("page-flow", { profile: { email: "eve@acme.test" } });
    const token = await mailedToken(run.run_id, "brief", "eve@acme.test");
    const expired = await expiredCopy(token);
    for (const method of ["GET", "POST"]) {
      const res = await page(method, expired, { form: { topic: "Too late" } });
      expect(res.status).toBe(410);
      expectPageHeaders(res);
      expect((await query(res.text, "h1"))[0]?.text).toBe("This link has expired");
    }
    const unknown = await unknownCopy(token);
    for (const bad of ["garbage", tamperedCopy(token), unknown]) {
      for (const method of ["GET", "POST"]) {
        const res = await page(method, bad, { form: { topic: "Forged" } });
        expect(res.status).toBe(401);
        expect((await query(res.text, "h1"))[0]?.text).toBe("This link is not valid");
      }
    }
    expect((await getRun(run.run_id)).body.current_step).toBe("brief");
    expect(await tokenRow(token)).toEqual({ used_at: null, revoked_at: null });
  });

  it("answers 410 'cancelled' once the run is cancelled", async () => {
    const run = await startedRun("page-flow", { profile: { email: "carl@acme.test" } });
    const token = await mailedToken(run.run_id, "brief", "carl@acme.test");
    expect((await api("POST", `/v1/executions/${run.run_id}/cancel`)).status).toBe(200);
    for (const method of ["GET", "HEAD", "POST"]) {
      const res = await page(method, token, { form: { topic: "After the cancel" } });
      expect(res.status).toBe(410);
    }
    const res = await page("GET", token);
    expect((await query(res.text, "h1"))[0]?.text).toBe("This request was cancelled");
    expect((await getRun(run.run_id)).body.status).toBe("cancelled");
  });

  it("refuses cross-site submissions (403) and bodies that are not forms (415), leaving the link unused", async () => {
    const run = await startedRun("page-flow", { profile: { email: "cora@acme.test" } });
    const token = await mailedToken(run.run_id, "brief", "cora@acme.test");
    const form = { topic: "Cross-site" };
    const crossSite: Array<Record<string, string>> = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "https://evil.test" },
    ];
    for (const headers of crossSite) {
      const res = await page("POST", token, { form, headers });
      expect(res.status).toBe(403);
      expect((await query(res.text, "h1"))[0]?.text).toBe("Submission refused");
    }
    const json = await exports.default.fetch(
      new Request(`${BASE}/r/${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(form),
      }),
    );
    expect(json.status).toBe(415);
    const huge = await page("POST", token, { form: { topic: "x".repeat(1024 * 1024 + 1) } });
    expect(huge.status).toBe(413);
    expect(huge.headers.get("content-type")).toContain("text/html");
    expect(huge.text).toContain("larger than 1 MiB");
    expect(await tokenRow(token)).toEqual({ used_at: null, revoked_at: null });

    // Our own page posts with Sec-Fetch-Site: same-origin, and (no-referrer policy) Origin: null.
    const own = await page("POST", token, {
      form: { topic: "Same origin" },
      headers: { "sec-fetch-site": "same-origin", origin: "null" },
    });
    expect(own.status).toBe(303);
  });

  it("answers every error as a page: a streamed post over 1 MiB (413), a broken key ring (500)", async () => {
    const app = createApp();
    const fetchPage = async (req: Request, overrides: Partial<Env> = {}) => {
      const ctx = createExecutionContext();
      const res = await app.fetch(req, { ...env, ...overrides }, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      return { status: res.status, text: await res.text(), requestId: res.headers.get("x-request-id") };
    };
    const big = new TextEncoder().encode(`topic=${"x".repeat(1024 * 1024 + 1)}`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(big);
        controller.close();
      },
    });
    const init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body };
    const streamed = await fetchPage(
      new Request(`${BASE}/r/anything`, { ...init, duplex: "half" } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(streamed.text).toContain("larger than 1 MiB");

    const broken = await fetchPage(new Request(`${BASE}/r/anything`), { RESUME_TOKEN_SECRETS: "" });
    expect(broken.status).toBe(500);
    expect(broken.text).toContain(`quote request id ${broken.requestId}`);
  });

  it("submits multipart forms too", async () => {
    const run = await startedRun("page-flow", { profile: { email: "mia@acme.test" } });
    const token = await mailedToken(run.run_id, "brief", "mia@acme.test");
    const body = new FormData();
    body.set("topic", "Multipart");
    body.set("words", "300");
    const res = await exports.default.fetch(
      new Request(`${BASE}/r/${token}`, { method: "POST", body, redirect: "manual" }),
    );
    expect(res.status).toBe(303);
    expect(await runtime(run.run_id)).toMatchObject({ topic: "Multipart", words: 300 });
  });
});

describe("escaping", () => {
  it("renders names, titles, labels, instructions and values with markup as text", async () => {
    const payload = `<script>alert('payload')</script><img src=x onerror=alert(1)>`;
    const run = await startedRun("xss-flow", { profile: { email: "x@acme.test" }, inputs: { payload } });
    const token = await mailedToken(run.run_id, "ask", "x@acme.test");
    const note = `"><script>alert('note')</script>`;

    const form = await page("GET", token);
    const invalid = await page("POST", token, { form: { note } }); // too short: re-rendered with the value
    expect(invalid.status).toBe(422);
    for (const html of [form.text, invalid.text]) {
      expect(html).not.toMatch(/<script|<img/i);
      expect((await query(html, "h1"))[0]?.text).toBe("<script>alert('title')</script>");
      expect(await textOf(html, ".workflow")).toBe("Workflow: <script>alert('name')</script>");
      expect(await textOf(html, "label")).toContain(`"><script>alert('label')</script>`);
    }
    expect((await query(invalid.text, `[name="note"]`))[0]?.attrs.value).toBe(note);

    const long = `${note} ${"x".repeat(60)}`;
    expect((await page("POST", token, { form: { note: long } })).status).toBe(303);
    const approver = await mailedToken(run.run_id, "check", "x@acme.test");
    const approval = await page("GET", approver);
    expect(approval.status).toBe(200);
    expect(approval.text).not.toMatch(/<script|<img/i);
    expect(await textOf(approval.text, "section[aria-labelledby=instructions-heading] p")).toBe(
      `<script>alert('instructions')</script> ${long} ${payload}`,
    );
    // The shown values, labelled by their path, escaped like everything else.
    expect(await recorded(approval.text)).toEqual({ "runtime.payload": payload, "runtime.note": long });
  });
});

describe("the development mailbox", () => {
  it("lists the outbox with clickable links, newest first, as HTML and JSON, and shows each email", async () => {
    const run = await startedRun("page-flow", { profile: { email: "dev@acme.test" } });
    const token = await mailedToken(run.run_id, "brief", "dev@acme.test");

    const json = await api<{
      items: Array<{
        id: string;
        to: string;
        subject: string;
        status: string;
        links: string[];
        created_at: string;
        run_id: string;
      }>;
    }>("GET", "/dev/mail.json", { key: null });
    expect(json.status).toBe(200);
    const item = json.body.items[0];
    expect(item).toMatchObject({
      to: "dev@acme.test",
      subject: "Input needed: What should we write? (Blog post)",
      run_id: run.run_id,
      links: [`https://scaff.test/r/${token}`],
    });
    expect(["pending", "sent"]).toContain(item?.status);
    const times = json.body.items.map((i) => Date.parse(i.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const html = await api<string>("GET", "/dev/mail", { key: null });
    expect(html.status).toBe(200);
    expect(html.headers.get("cache-control")).toBe("no-store");
    const anchors = (await query(html.text, "a")).map((a) => a.attrs.href);
    expect(anchors).toContain(`https://scaff.test/r/${token}`);
    expect(anchors).toContain(`/dev/mail/${item?.id}`);
    expect(await textOf(html.text, "h2")).toContain("Input needed: What should we write? (Blog post)");

    const one = await api<string>("GET", `/dev/mail/${item?.id}`, { key: null });
    expect(one.status).toBe(200);
    expect(one.text).toContain(`https://scaff.test/r/${token}`);
    expect(one.headers.get("content-security-policy")).toMatch(/default-src 'none'.*sandbox/);
    expect((await api("GET", "/dev/mail/mail_nope", { key: null })).status).toBe(404);
  });

  it("does not exist unless DEV_MODE is exactly true", async () => {
    const app = createApp();
    for (const mode of ["false", "", "TRUE"]) {
      for (const path of ["/dev/mail", "/dev/mail.json", "/dev/mail/anything"]) {
        const ctx = createExecutionContext();
        const res = await app.fetch(new Request(`${BASE}${path}`), { ...env, DEV_MODE: mode }, ctx);
        await waitOnExecutionContext(ctx);
        expect(res.status, `${mode} ${path}`).toBe(404);
        expect(await res.json()).toEqual({
          error: { code: "not_found", message: `No route for GET ${path}` },
        });
      }
    }
  });
});

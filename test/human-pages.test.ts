import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { parseTokenSecrets, randomId, signResumeToken, verifyResumeToken } from "../src/tokens";
import { type ApiResponse, api, BASE } from "./helpers/api";

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
`;

interface Status {
  run_id: string;
  status: string;
  current_step: string | null;
  waiting?: { resume_url: string; resume_token: string };
}

interface El {
  tag: string;
  attrs: Record<string, string>;
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" };
const decode = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => ENTITIES[e] ?? "");

/** The elements matching `selector`, parsed with workerd's HTMLRewriter, with their decoded text and attributes. */
async function query(html: string, selector: string): Promise<El[]> {
  const found: El[] = [];
  const open: El[] = [];
  await new HTMLRewriter()
    .on(selector, {
      element(e) {
        const attrs = Object.fromEntries([...e.attributes].map(([k, v]) => [k, decode(v ?? "")]));
        const el: El = { tag: e.tagName, attrs, text: "" };
        found.push(el);
        open.push(el);
        try {
          e.onEndTag(() => void open.splice(open.indexOf(el), 1));
        } catch {
          open.splice(open.indexOf(el), 1); // void element
        }
      },
    })
    .onDocument({
      text(t) {
        for (const el of open) el.text += decode(t.text);
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}

const textOf = async (html: string, selector = "main"): Promise<string> =>
  (await query(html, selector)).map((e) => e.text).join(" ");

/** What the recorded section (a dl of label/value pairs) says, as an object. */
async function recorded(html: string): Promise<Record<string, string>> {
  const dts = await query(html, "dt");
  const dds = await query(html, "dd");
  return Object.fromEntries(dts.map((dt, i) => [dt.text, dds[i]?.text ?? ""]));
}

/** Calls a human page as a browser would, without following redirects (to see the 303 itself). */
async function page(
  method: string,
  token: string,
  opts: { form?: Record<string, string>; headers?: Record<string, string>; query?: string } = {},
): Promise<ApiResponse<string>> {
  const res = await exports.default.fetch(
    new Request(`${BASE}/r/${token}${opts.query ?? ""}`, {
      method,
      headers: opts.headers,
      body: opts.form ? new URLSearchParams(opts.form) : undefined,
      redirect: "manual",
    }),
  );
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text, text };
}

async function start(workflow: string, profile: Record<string, unknown>, inputs: Record<string, unknown> = {}) {
  const res = await api<Status>("POST", "/v1/executions", { json: { workflow_id: workflow, inputs, profile } });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

/** The token of the link mailed to `to` for a step of a run, read from the outbox. */
async function mailedToken(runId: string, stepId: string, to: string): Promise<string> {
  const row = await env.DB.prepare(
    "SELECT text_body FROM mail_outbox WHERE run_id = ? AND step_id = ? AND to_address = ? AND kind = 'request'",
  )
    .bind(runId, stepId, to)
    .first<{ text_body: string }>();
  const token = /https:\/\/scaff\.test\/r\/([A-Za-z0-9_.-]+)/.exec(row?.text_body ?? "")?.[1];
  if (!token) throw new Error(`no link mailed to ${to} for ${runId}/${stepId}`);
  return token;
}

async function tokenRow(token: string) {
  const claims = await verifyResumeToken(parseTokenSecrets(env.RESUME_TOKEN_SECRETS), token);
  return env.DB.prepare("SELECT used_at, revoked_at FROM resume_tokens WHERE jti = ?")
    .bind(claims.jti)
    .first<{ used_at: number | null; revoked_at: number | null }>();
}

const runStatus = async (runId: string) => (await api<Status>("GET", `/v1/executions/${runId}`)).body;
const runtime = async (runId: string) =>
  (await api<{ runtime: Record<string, unknown> }>("GET", `/v1/executions/${runId}/context`)).body.runtime;

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
    const run = await start("page-flow", { email: "ann@acme.test" });
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
    expect(await runStatus(run.run_id)).toMatchObject({ status: "waiting", current_step: "brief" });

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
    expect((await query(html, `select[name="audience"] option[selected]`))[0]?.attrs.value).toBe("developers");
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
    expect((await query(bad.text, `[name="topic"]`))[0]?.attrs).toMatchObject({ value: "ab", "aria-invalid": "true" });
    expect((await query(bad.text, `[name="words"]`))[0]?.attrs.value).toBe("50");
    expect((await query(bad.text, `[name="contact"]`))[0]?.attrs.value).toBe("not-an-email");
    expect((await query(bad.text, `[name="urgent"]`))[0]?.attrs.checked).toBe("");
    expect((await query(bad.text, `select[name="audience"] option[selected]`))[0]?.attrs.value).toBe("executives");
    expect(await tokenRow(token)).toEqual({ used_at: null, revoked_at: null });
    expect(await runStatus(run.run_id)).toMatchObject({ status: "waiting", current_step: "brief" });

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
    expect(await runStatus(run.run_id)).toMatchObject({ status: "waiting", current_step: "review" });
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

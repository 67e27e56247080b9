import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../ai/queue-helpers";
import { api } from "../helpers/api";
import { query } from "../helpers/html";
import { startedRun } from "../helpers/runs";
import { mailedToken, page, runtime, textOf } from "../pages/link-helpers";

// The review and fix pages as a person without JavaScript uses them: the generated form, the
// decisions, server-side errors next to their fields with the typed values kept.
const SCHEMA = `
    schema:
      type: object
      additionalProperties: false
      required: [title, body, score, tags, meta]
      properties:
        title: { type: string, minLength: 3, maxLength: 80 }
        body: { type: string, description: "The article text" }
        score: { type: integer, minimum: 0, maximum: 100 }
        tone: { type: string, enum: [formal, casual] }
        published: { type: boolean }
        tags: { type: array, items: { type: string } }
        meta:
          type: object
          required: [author]
          properties:
            author: { type: string }
        sources: { type: array, items: { type: object, properties: { url: { type: string } } } }`;

const flow = (id: string, approval: string, ai = "") => `
id: ${id}
name: Page ${id}
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write."
${ai}${SCHEMA}
    output: draft
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test"]
    review: draft
${approval}    output: review
`;

const EDITABLE = flow("page-edit", "    editable: true\n    allow_changes: true\n    max_revisions: 1\n");
const READ_ONLY = flow("page-read", "");
const FIXABLE = `
id: page-fix
name: Page fix
start_step: draft
steps:
  - id: draft
    type: ai_generate
    prompt: "Write."
    max_retries: 0
    mock: { mode: schema_violation, failures: 9 }
    on_invalid: fix
    fixers: ["fixer@acme.test"]
${SCHEMA}
    output: draft
`;

const attr = async (html: string, selector: string, name: string) =>
  (await query(html, selector))[0]?.attrs[name];

beforeAll(async () => {
  for (const yaml of [EDITABLE, READ_ONLY, FIXABLE]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

/** A run of `workflow` waiting on a person, and the link mailed to `to`. */
async function openLink(workflow: string, stepId: string, to: string) {
  const run = await startedRun(workflow);
  const waiting = await waitFor(run.run_id, (s) => s.status === "waiting");
  return { runId: waiting.run_id, token: await mailedToken(waiting.run_id, stepId, to) };
}

/** Every named control's current value, as the browser would post it (the page's own form, unchanged). */
async function formOf(html: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const el of await query(html, "form input, form textarea, form select option[selected]")) {
    if (el.tag === "option") continue;
    if (el.attrs.disabled !== undefined || !el.attrs.name) continue;
    if (el.attrs.type === "checkbox" && el.attrs.checked === undefined) continue;
    out.push([el.attrs.name, el.tag === "textarea" ? el.text : (el.attrs.value ?? "")]);
  }
  for (const select of await query(html, "form select")) {
    if (select.attrs.disabled !== undefined) continue;
    const chosen = (await query(html, `select[name="${select.attrs.name}"] option[selected]`))[0];
    out.push([select.attrs.name ?? "", chosen?.attrs.value ?? ""]);
  }
  return out;
}

/** Posts the page's fields; a later entry replaces an earlier one of the same name (a typed comment, a decision). */
async function submit(token: string, fields: Array<[string, string]>) {
  const { exports } = await import("cloudflare:workers");
  const single = new Set(["comment", "decision", "content_hash"]);
  const last = new Map(fields.filter(([k]) => single.has(k)));
  const body = new URLSearchParams([...fields.filter(([k]) => !single.has(k)), ...last]);
  const res = await exports.default.fetch(
    new Request(`https://scaff.test/r/${token}`, { method: "POST", body, redirect: "manual" }),
  );
  return { status: res.status, text: await res.text() };
}

describe("the review page", () => {
  it("renders the output as a form from the schema: fieldsets, textareas, selects, lists, a JSON editor", async () => {
    const { token } = await openLink("page-edit", "review", "editor@acme.test");
    const res = await page("GET", token);
    expect(res.status).toBe(200);
    const html = res.text;
    expect(await attr(html, 'input[name="o/title"]', "type")).toBe("text");
    expect((await query(html, 'textarea[name="o/body"]')).length).toBe(1);
    expect(await attr(html, 'input[name="o/score"]', "type")).toBe("number");
    expect((await query(html, 'select[name="o/tone"] option')).map((o) => o.text)).toEqual([
      "Choose…",
      "formal",
      "casual",
    ]);
    expect(await attr(html, 'input[name="o/published"]', "type")).toBe("checkbox");
    expect((await query(html, 'input[name="o/tags"]')).length).toBeGreaterThanOrEqual(2);
    expect((await query(html, "fieldset legend")).map((l) => l.text)).toContain("meta");
    expect((await query(html, 'fieldset [name="o/meta/author"]')).length).toBe(1);
    expect((await query(html, 'textarea[name="o/sources"]')).length).toBe(1);
    expect(await attr(html, 'input[name="content_hash"]', "value")).toMatch(/^sha256:[0-9a-f]{64}$/);
    const buttons = (await query(html, "button")).map((b) => b.text.trim());
    expect(buttons).toEqual(["Approve", "Request changes", "Reject"]);
    expect(await textOf(html)).toContain("Revision 1");
  });

  it("records an edit made on the page as a patch", async () => {
    const { runId, token } = await openLink("page-edit", "review", "editor@acme.test");
    const fields = (await formOf((await page("GET", token)).text)).map(([k, v]): [string, string] =>
      k === "o/title" ? [k, "Edited on the page"] : [k, v],
    );
    const res = await submit(token, [...fields, ["decision", "approved"]]);
    expect(res.status, res.text).toBe(303);
    const done = await page("GET", token, { query: "?done=1" });
    expect(await textOf(done.text)).toContain("Yes: your version of the output was used");
    const rt = await runtime(runId);
    expect((rt.draft as { title: string }).title).toBe("Edited on the page");
    expect(rt.review).toMatchObject({
      edited: true,
      patch: [{ op: "replace", path: "/title", value: "Edited on the page" }],
    });
  });

  it("approving the page unchanged records no edit", async () => {
    const { runId, token } = await openLink("page-edit", "review", "editor@acme.test");
    const before = (await api<{ waiting: { review: { output: unknown } } }>("GET", `/v1/executions/${runId}`))
      .body;
    const fields = await formOf((await page("GET", token)).text);
    const res = await submit(token, [...fields, ["decision", "approved"]]);
    expect(res.status, res.text).toBe(303);
    const rt = await runtime(runId);
    expect(rt.review).toMatchObject({ edited: false, patch: [] });
    expect(rt.draft).toEqual(before.waiting.review.output);
  });

  it("shows each error next to its field and keeps what was typed", async () => {
    const { token } = await openLink("page-edit", "review", "editor@acme.test");
    const fields = (await formOf((await page("GET", token)).text)).map(([k, v]): [string, string] =>
      k === "o/title"
        ? [k, "ab"]
        : k === "o/score"
          ? [k, "12abc"]
          : k === "o/sources"
            ? [k, "[{oops"]
            : [k, v],
    );
    const bad = await submit(token, [...fields, ["decision", "approved"]]);
    expect(bad.status).toBe(422);
    expect((await query(bad.text, "#o-sources-error")).map((e) => e.text).join()).toMatch(/not valid JSON/);
    expect(await attr(bad.text, 'textarea[name="o/sources"]', "aria-invalid")).toBe("true");
    // The JSON is fixed; the schema errors come from the server's validator.
    const next = fields.map(([k, v]): [string, string] => (k === "o/sources" ? [k, '[{"url": 5}]'] : [k, v]));
    const res = await submit(token, [...next, ["decision", "approved"]]);
    expect(res.status).toBe(422);
    expect((await query(res.text, "#o-title-error"))[0]?.text).toBeTruthy();
    expect((await query(res.text, "#o-score-error"))[0]?.text).toBeTruthy();
    expect(await attr(res.text, 'input[name="o/title"]', "value")).toBe("ab");
    expect(await attr(res.text, 'input[name="o/score"]', "value")).toBe("12abc");
    // An error inside the JSON editor's value is shown next to the editor, its text kept.
    expect((await query(res.text, "#o-sources-error"))[0]?.text).toBeTruthy();
    expect((await query(res.text, 'textarea[name="o/sources"]'))[0]?.text).toBe('[{"url": 5}]');
    // Still open: the page offers the decisions again.
    expect((await page("GET", token)).status).toBe(200);
  });

  it("sends back with a comment, then no longer offers it after max_revisions", async () => {
    const { runId, token } = await openLink("page-edit", "review", "editor@acme.test");
    const html = (await page("GET", token)).text;
    const fields = await formOf(html);
    const noComment = await submit(token, [...fields, ["decision", "changes_requested"]]);
    expect(noComment.status).toBe(422);
    expect(await textOf(noComment.text, ".alert")).toMatch(/needs a comment/);
    const sent = await submit(token, [
      ...fields,
      ["decision", "changes_requested"],
      ["comment", "Shorter, please"],
    ]);
    expect(sent.status, sent.text).toBe(303);
    await waitFor(runId, (s) => s.status === "waiting");
    const revised = await page("GET", await mailedToken2(runId));
    expect(await textOf(revised.text)).toContain("Revision 2");
    expect((await query(revised.text, "button")).map((b) => b.text.trim())).toEqual(["Approve", "Reject"]);
  });

  it("refuses a page whose content changed since it was shown, with a clear message", async () => {
    const { token } = await openLink("page-edit", "review", "editor@acme.test");
    const fields = (await formOf((await page("GET", token)).text)).map(([k, v]): [string, string] =>
      k === "content_hash" ? [k, `sha256:${"1".repeat(64)}`] : [k, v],
    );
    const res = await submit(token, [...fields, ["decision", "approved"]]);
    expect(res.status).toBe(409);
    expect(await textOf(res.text, ".alert")).toMatch(/changed since this page was shown/);
  });

  it("is read-only without editable: disabled controls, no edit posted, no send-back", async () => {
    const { runId, token } = await openLink("page-read", "review", "editor@acme.test");
    const html = (await page("GET", token)).text;
    expect(await attr(html, 'input[name="o/title"]', "disabled")).toBeDefined();
    expect((await query(html, "button")).map((b) => b.text.trim())).toEqual(["Approve", "Reject"]);
    const res = await submit(token, [...(await formOf(html)), ["decision", "approved"]]);
    expect(res.status, res.text).toBe(303);
    expect((await runtime(runId)).review).toMatchObject({ decision: "approved", edited: false });
  });
});

describe("the fix page", () => {
  it("shows the AI's last output with each error next to its field, and takes a valid fix", async () => {
    const { runId, token } = await openLink("page-fix", "draft", "fixer@acme.test");
    const html = (await page("GET", token)).text;
    expect(await textOf(html, "h1")).toContain('Fix the output of step "draft"');
    const status = await api<{ waiting: { fix: { errors: Array<{ path: string; message: string }> } } }>(
      "GET",
      `/v1/executions/${runId}`,
    );
    const errors = status.body.waiting.fix.errors;
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      // Next to its field: the error line of the control at that path (the form's own for the root).
      const id = `o-${e.path.split("/").slice(1).join("-")}-error`;
      expect((await query(html, `#${id}`))[0]?.text, `${e.path} on the page`).toContain(e.message);
    }
    const good: Array<[string, string]> = [
      ["o/title", "Fixed by a person"],
      ["o/body", "Body"],
      ["o/score", "70"],
      ["o/tags", "edge"],
      ["o/meta/author", "Ada"],
    ];
    const bad = await submit(
      token,
      good.map(([k, v]): [string, string] => (k === "o/score" ? [k, "700"] : [k, v])),
    );
    expect(bad.status).toBe(422);
    expect((await query(bad.text, "#o-score-error"))[0]?.text).toBeTruthy();
    expect(await attr(bad.text, 'input[name="o/title"]', "value")).toBe("Fixed by a person");
    const ok = await submit(token, good);
    expect(ok.status, ok.text).toBe(303);
    expect((await runtime(runId)).draft).toMatchObject({
      title: "Fixed by a person",
      body: "Body",
      score: 70,
      tags: ["edge"],
      meta: { author: "Ada" },
    });
  });
});

/** The link of the newest review email of a run. */
async function mailedToken2(runId: string): Promise<string> {
  const { runDb } = await import("../helpers/run-db");
  const row = await runDb(runId)
    .prepare(
      "SELECT text_body FROM mail_outbox WHERE step_id = 'review' ORDER BY created_at DESC, rowid DESC LIMIT 1",
    )
    .first<{ text_body: string }>();
  const token = /https:\/\/scaff\.test\/r\/([A-Za-z0-9_.-]+)/.exec(row?.text_body ?? "")?.[1];
  if (!token) throw new Error("no review link mailed");
  return token;
}

import { describe, expect, it } from "vitest";
import type { FormField } from "../../src/definitions/types";
import { htmlResponse, renderConfirmationPage, renderErrorPage } from "../../src/html";
import { STYLE, STYLE_SHA256 } from "../../src/html/styles";
import { readApprovalSubmission, readFormSubmission } from "../../src/links/form-values";
import { renderApprovalPage } from "../../src/links/templates/approval-page";
import { type FormPageView, renderFormPage } from "../../src/links/templates/form-page";
import { type El, query } from "../helpers/html";

async function one(html: string, selector: string): Promise<El> {
  const els = await query(html, selector);
  expect(els, selector).toHaveLength(1);
  return els[0] as El;
}

/** Every id named in an element's aria-describedby, resolved to that element's text. */
async function describedBy(html: string, el: El): Promise<string[]> {
  const ids = (el.attrs["aria-describedby"] ?? "").split(" ").filter(Boolean);
  return Promise.all(ids.map(async (id) => (await one(html, `[id="${id}"]`)).text));
}

const field = (f: Partial<FormField> & Pick<FormField, "name" | "type">): FormField => ({
  required: false,
  ...f,
});

const FIELDS: FormField[] = [
  field({
    name: "topic",
    type: "string",
    required: true,
    min_length: 3,
    max_length: 200,
    pattern: "^[a-z ]+$",
  }),
  field({ name: "audience", type: "string", enum: ["developers", "executives"], default: "developers" }),
  field({ name: "words", type: "integer", label: "Word count", minimum: 100, maximum: 2000, required: true }),
  field({ name: "ratio", type: "number", minimum: 0.5 }),
  field({ name: "contact", type: "string", format: "email", help: "We reply here." }),
  field({ name: "site", type: "string", format: "uri" }),
  field({ name: "day", type: "string", format: "date" }),
  field({ name: "at", type: "string", format: "date-time" }),
  field({ name: "urgent", type: "boolean", label: "Urgent?", required: true }),
  field({ name: "level", type: "integer", enum: [1, 2, 3], required: true }),
];

const formView = (over: Partial<FormPageView> = {}): FormPageView => ({
  workflowName: "Content review",
  stepTitle: "What should we write?",
  fields: FIELDS,
  action: "/r/tok-123",
  expiresAt: Date.UTC(2026, 4, 1, 9, 30),
  ...over,
});

const controlOf = async (html: string, name: string): Promise<El> => one(html, `[name="${name}"]`);

describe("form page", () => {
  it("renders one labelled control per field, with the constraints of its type", async () => {
    const html = renderFormPage(formView());
    const form = await one(html, "form");
    expect(form.attrs).toMatchObject({ method: "post", action: "/r/tok-123" });

    const topic = await controlOf(html, "topic");
    expect(topic.attrs).toMatchObject({ type: "text", minlength: "3", maxlength: "200", required: "" });
    // JSON Schema patterns match anywhere; the HTML attribute must keep that meaning.
    expect(new RegExp(`^(?:${topic.attrs.pattern})$`, "v").test("a topic")).toBe(true);
    expect(new RegExp(`^(?:${topic.attrs.pattern})$`, "v").test("Topic!")).toBe(false);

    const audience = await controlOf(html, "audience");
    expect(audience.tag).toBe("select");
    expect(audience.attrs.required).toBeUndefined();
    const options = await query(html, `select[name="audience"] option`);
    expect(options.map((o) => [o.attrs.value, o.text, "selected" in o.attrs])).toEqual([
      ["", "Choose…", false],
      ["developers", "developers", true],
      ["executives", "executives", false],
    ]);
    expect((await controlOf(html, "level")).attrs.required).toBe("");
    expect((await query(html, `select[name="level"] option`)).map((o) => o.attrs.value)).toEqual([
      "",
      "1",
      "2",
      "3",
    ]);

    expect((await controlOf(html, "words")).attrs).toMatchObject({
      type: "number",
      step: "1",
      min: "100",
      max: "2000",
      required: "",
    });
    const ratio = await controlOf(html, "ratio");
    expect(ratio.attrs).toMatchObject({ type: "number", step: "any", min: "0.5" });
    expect(ratio.attrs.max).toBeUndefined();
    expect(ratio.attrs.required).toBeUndefined();

    expect((await controlOf(html, "contact")).attrs.type).toBe("email");
    expect((await controlOf(html, "site")).attrs.type).toBe("url");
    expect((await controlOf(html, "day")).attrs.type).toBe("date");
    const at = await controlOf(html, "at");
    expect(at.attrs.type).toBe("datetime-local");
    expect((await describedBy(html, at)).join(" ")).toContain("UTC");

    const urgent = await controlOf(html, "urgent");
    expect(urgent.attrs).toMatchObject({ type: "checkbox", value: "on" });
    // An unchecked box is a valid "no": never required in the browser.
    expect(urgent.attrs.required).toBeUndefined();
    expect(urgent.attrs.checked).toBeUndefined();

    // Every control has a label pointing at it, showing the label or the name.
    const labels = await query(html, "label");
    const labelFor = new Map(labels.map((l) => [l.attrs.for, l.text]));
    for (const f of FIELDS) {
      const control = await controlOf(html, f.name);
      expect(labelFor.get(control.attrs.id), f.name).toContain(f.label ?? f.name);
    }
    expect(labelFor.get((await controlOf(html, "words")).attrs.id)).toBe("Word count *");
    expect(labelFor.get((await controlOf(html, "ratio")).attrs.id)).toBe("ratio");
    expect(labelFor.get((await controlOf(html, "urgent")).attrs.id)).toBe("Urgent?");
    expect(html).toContain("are required");
    expect((await one(html, "button")).attrs.type).toBe("submit");
  });

  it("links help text with aria-describedby and shows the deadline", async () => {
    const html = renderFormPage(formView());
    const contact = await controlOf(html, "contact");
    expect(await describedBy(html, contact)).toEqual(["We reply here."]);
    expect((await controlOf(html, "topic")).attrs["aria-describedby"]).toBeUndefined();
    const time = await one(html, "time");
    expect(time.attrs.datetime).toBe("2026-05-01T09:30:00.000Z");
    expect(time.text).toBe("Fri, 01 May 2026 09:30 UTC");
  });

  it("re-renders invalid input with per-field errors and the user's values kept", async () => {
    const html = renderFormPage(
      formView({
        values: {
          topic: "ab",
          audience: "executives",
          words: "12x",
          urgent: "on",
          at: "2026-05-02T08:15:00Z",
          level: 2,
        },
        errors: {
          topic: "must NOT have fewer than 3 characters",
          words: "must be integer",
          "": "whole form",
        },
      }),
    );
    const topic = await controlOf(html, "topic");
    expect(topic.attrs.value).toBe("ab");
    expect(topic.attrs["aria-invalid"]).toBe("true");
    expect(await describedBy(html, topic)).toEqual(["must NOT have fewer than 3 characters"]);
    const words = await controlOf(html, "words");
    expect(words.attrs.value).toBe("12x");
    expect(words.attrs["aria-invalid"]).toBe("true");
    expect((await controlOf(html, "contact")).attrs["aria-invalid"]).toBeUndefined();
    expect((await controlOf(html, "urgent")).attrs.checked).toBe("");
    expect((await controlOf(html, "at")).attrs.value).toBe("2026-05-02T08:15");
    const selected = async (name: string) =>
      (await query(html, `select[name="${name}"] option`))
        .filter((o) => "selected" in o.attrs)
        .map((o) => o.attrs.value);
    expect(await selected("audience")).toEqual(["executives"]);
    expect(await selected("level")).toEqual(["2"]);

    // A summary at the top links each error to its field; errors for no field are listed too.
    const alert = await one(html, '[role="alert"]');
    expect(alert.text).toContain("whole form");
    const links = await query(html, '[role="alert"] a');
    expect(links.map((l) => l.attrs.href)).toEqual([`#${topic.attrs.id}`, `#${words.attrs.id}`]);
    expect(links[1]?.text).toBe("Word count: must be integer");
    expect((await one(html, "title")).text).toMatch(/^Error: /);
  });

  it("shows a form-level error and no alert when all is well", async () => {
    expect(await query(renderFormPage(formView()), '[role="alert"]')).toHaveLength(0);
    const html = renderFormPage(formView({ formError: "This step is no longer waiting." }));
    expect((await one(html, '[role="alert"]')).text).toContain("This step is no longer waiting.");
  });

  it("escapes every user-supplied string", async () => {
    const evil = `<script>alert(1)</script>"'&`;
    const attr = `x" onfocus="alert(1)`;
    const html = renderFormPage(
      formView({
        workflowName: evil,
        stepTitle: evil,
        description: evil,
        fields: [
          field({ name: attr, type: "string", label: evil, help: evil, pattern: `"><script>` }),
          field({ name: "pick", type: "string", enum: [evil, attr] }),
          field({ name: "constructor", type: "string" }),
        ],
        values: { [attr]: attr, pick: attr },
        errors: { [attr]: evil, other: evil },
        formError: evil,
        action: `/r/${attr}`,
      }),
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(`" onfocus=`);
    for (const el of await query(html, "*")) expect(Object.keys(el.attrs)).not.toContain("onfocus");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const input = await one(html, "input[aria-invalid]");
    // The attack string is the control's value (data), not markup.
    expect(input.attrs.value).toBe(attr);
    expect(input.attrs.name).toBe(attr);
    expect((await one(html, "h1")).text).toBe(evil);
    // Field names that are Object.prototype keys get nothing from the prototype.
    const ctor = await controlOf(html, "constructor");
    expect(ctor.attrs.value).toBe("");
    expect(ctor.attrs["aria-invalid"]).toBeUndefined();
  });
});

describe("approval page", () => {
  const view = {
    workflowName: "Content review",
    stepTitle: "Review the draft",
    instructions: "Approve 'Ten tips'?\nCheck the tone.",
    shown: [
      { label: "Title", value: "Ten tips" },
      { label: "Score", value: "91" },
    ],
    action: "/r/tok-9",
    expiresAt: Date.UTC(2026, 4, 2, 12, 0),
    approver: "editor@acme.test",
  };

  it("offers approve and reject buttons, a comment box, the instructions and the shown values", async () => {
    const html = renderApprovalPage(view);
    expect((await one(html, "form")).attrs).toMatchObject({ method: "post", action: "/r/tok-9" });
    const buttons = await query(html, "button");
    expect(buttons.map((b) => [b.attrs.type, b.attrs.name, b.attrs.value, b.text])).toEqual([
      ["submit", "decision", "approved", "Approve"],
      ["submit", "decision", "rejected", "Reject"],
    ]);
    const comment = await one(html, "textarea");
    expect(comment.attrs.name).toBe("comment");
    expect((await one(html, `label[for="${comment.attrs.id}"]`)).text).toContain("Comment");
    // Line breaks are kept (shown with white-space: pre-wrap), not turned into markup.
    expect((await one(html, "p.text")).text).toBe("Approve 'Ten tips'?\nCheck the tone.");
    expect((await query(html, "dt")).map((d) => d.text)).toEqual(["Title", "Score"]);
    expect((await query(html, "dd")).map((d) => d.text)).toEqual(["Ten tips", "91"]);
    expect(html).toContain("editor@acme.test");
    expect((await one(html, "time")).attrs.datetime).toBe("2026-05-02T12:00:00.000Z");
    expect(await query(html, '[role="alert"]')).toHaveLength(0);
  });

  it("shows an error and keeps the comment on re-render", async () => {
    const html = renderApprovalPage({ ...view, error: "Choose Approve or Reject.", comment: "Looks fine" });
    expect((await one(html, '[role="alert"]')).text).toContain("Choose Approve or Reject.");
    expect((await one(html, "textarea")).text).toBe("Looks fine");
  });

  it("escapes instructions, shown values, names and the approver", () => {
    const evil = "<script>alert(1)</script>";
    const html = renderApprovalPage({
      ...view,
      workflowName: evil,
      stepTitle: evil,
      instructions: `<img src=x onerror=alert(1)>\n${evil}`,
      shown: [{ label: evil, value: evil }],
      approver: evil,
      error: evil,
      comment: `</textarea>${evil}`,
    });
    expect(html).not.toMatch(/<script|<img|<\/textarea><script/i);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});

describe("confirmation and error pages", () => {
  it("shows what was recorded, for a first or a repeated submission", async () => {
    const html = renderConfirmationPage({
      title: "Already recorded",
      message: "This response was already recorded; nothing changed.",
      recorded: [
        { label: "Decision", value: "approved" },
        { label: "Comment", value: "<b>ok</b>" },
      ],
    });
    expect((await one(html, "h1")).text).toBe("Already recorded");
    expect((await one(html, '[role="status"]')).text).toContain("already recorded");
    expect((await query(html, "dd")).map((d) => d.text)).toEqual(["approved", "<b>ok</b>"]);
    expect(html).toContain("&lt;b&gt;ok&lt;/b&gt;");
    expect(await query(html, "form")).toHaveLength(0);
  });

  it("explains a link that cannot be used, with no form", async () => {
    const html = renderErrorPage({ title: "This link has expired", message: "Ask for a <new> link." });
    expect((await one(html, "h1")).text).toBe("This link has expired");
    expect(html).toContain("Ask for a &lt;new&gt; link.");
    expect(await query(html, "form")).toHaveLength(0);
  });
});

describe("layout and response", () => {
  it("is a complete, accessible, self-contained document", async () => {
    for (const html of [
      renderFormPage(formView()),
      renderApprovalPage({ workflowName: "W", instructions: "", shown: [], action: "/r/t", expiresAt: 0 }),
      renderConfirmationPage({ title: "Thanks", message: "Recorded." }),
      renderErrorPage({ title: "Invalid link", message: "No." }),
    ]) {
      expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
      expect((await one(html, 'meta[name="viewport"]')).attrs.content).toContain("width=device-width");
      expect((await one(html, 'meta[name="referrer"]')).attrs.content).toBe("no-referrer");
      expect((await one(html, "meta[charset]")).attrs.charset).toBe("utf-8");
      expect((await one(html, "title")).text).toMatch(/· Scaff$/);
      expect(await query(html, "main")).toHaveLength(1);
      expect(await query(html, "script, link, img, iframe, [style]")).toHaveLength(0);
      expect((await one(html, "style")).text).toBe(STYLE);
    }
  });

  it("allows exactly the inline stylesheet by hash in the CSP", async () => {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(STYLE));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(STYLE_SHA256, `STYLE changed: set STYLE_SHA256 to "${hash}"`).toBe(hash);
  });

  it("htmlResponse sets the status and the security headers", async () => {
    const res = htmlResponse(renderErrorPage({ title: "Gone", message: "Expired." }), 410);
    expect(res.status).toBe(410);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const csp = Object.fromEntries(
      (res.headers.get("content-security-policy") ?? "").split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(" ")];
      }),
    );
    expect(csp).toEqual({
      "default-src": "'none'",
      "style-src": `'sha256-${STYLE_SHA256}'`,
      "form-action": "'self'",
      "base-uri": "'none'",
      "frame-ancestors": "'none'",
    });
    expect(await res.text()).toContain("Expired.");
    expect(htmlResponse("<p>x</p>").status).toBe(200);
    expect(htmlResponse("<p>x</p>", 303, { Location: "/r/t" }).headers.get("location")).toBe("/r/t");
  });
});

describe("reading posted pages", () => {
  const post = (entries: Array<[string, string]>): FormData => {
    const fd = new FormData();
    for (const [k, v] of entries) fd.append(k, v);
    return fd;
  };

  it("coerces form values by field type and reads only declared fields", () => {
    const data = readFormSubmission(
      FIELDS,
      post([
        ["topic", "a topic"],
        ["audience", "executives"],
        ["words", "250"],
        ["ratio", "0.75"],
        ["contact", ""],
        ["at", "2026-05-01T09:30"],
        ["level", "2"],
        ["urgent", "on"],
        ["injected", "x"],
      ]),
    );
    expect(data).toEqual({
      topic: "a topic",
      audience: "executives",
      words: 250,
      ratio: 0.75,
      at: "2026-05-01T09:30:00Z",
      level: 2,
      urgent: true,
    });
  });

  it("keeps unparseable numbers for validation, unchecked boxes as false, defaults for blanks", () => {
    expect(
      readFormSubmission(
        FIELDS,
        post([
          ["words", "12x"],
          ["audience", ""],
        ]),
      ),
    ).toEqual({
      words: "12x",
      urgent: false,
      audience: "developers",
    });
    // A date-time that already names its zone (or is not a date-time at all) is left to validation.
    expect(readFormSubmission(FIELDS, post([["at", "2026-05-01T09:30:15+02:00"]])).at).toBe(
      "2026-05-01T09:30:15+02:00",
    );
    expect(readFormSubmission(FIELDS, post([["at", "tomorrow"]])).at).toBe("tomorrow");
    expect(readFormSubmission(FIELDS, post([["at", "2026-05-01T09:30:15.5"]])).at).toBe(
      "2026-05-01T09:30:15.5Z",
    );
  });

  it("round-trips: what a page posts re-renders as the same values", async () => {
    const data = readFormSubmission(
      FIELDS,
      post([
        ["at", "2026-05-01T09:30"],
        ["words", "300"],
        ["urgent", "on"],
      ]),
    );
    const html = renderFormPage(formView({ values: data }));
    expect((await controlOf(html, "at")).attrs.value).toBe("2026-05-01T09:30");
    expect((await controlOf(html, "words")).attrs.value).toBe("300");
    expect((await controlOf(html, "urgent")).attrs.checked).toBe("");
  });

  it("reads an approval decision and an optional comment", () => {
    expect(readApprovalSubmission(post([["decision", "approved"]]))).toEqual({
      ok: true,
      data: { decision: "approved" },
    });
    expect(
      readApprovalSubmission(
        post([
          ["decision", "rejected"],
          ["comment", " too long \n"],
        ]),
      ),
    ).toEqual({
      ok: true,
      data: { decision: "rejected", comment: "too long" },
    });
    for (const bad of [
      [],
      [["decision", "maybe"]],
      [
        ["decision", "approved"],
        ["comment", "x".repeat(5001)],
      ],
    ]) {
      const r = readApprovalSubmission(post(bad as Array<[string, string]>));
      expect(r.ok).toBe(false);
    }
  });
});

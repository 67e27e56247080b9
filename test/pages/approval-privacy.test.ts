import { beforeAll, describe, expect, inject, it } from "vitest";
import type { ApprovalStep } from "../../src/definitions/types";
import { settledPage } from "../../src/links/link-pages";
import type { LinkState } from "../../src/links/link-state";
import { ownRecordedValues } from "../../src/links/page-views";
import type { ResumeClaims } from "../../src/tokens";
import { api, envelope } from "../helpers/api";
import { query } from "../helpers/html";
import { startedRun } from "../helpers/runs";
import { mailedToken, page, recorded, runtime, textOf } from "./link-helpers";

// What an approver sees of a run: the instructions and the values the step lists in `show`, nothing
// else of the context; and, once the request is answered, only their own decision.

const base = inject("httpServerUrl");

// An author briefs a post (with a private note), the run fetches a page from an API (its response
// headers land in runtime), then two editors are asked; the page shows the topic, team and policy.
const SHOWN_FLOW = `
id: shown-flow
name: Shown values
start_step: brief
context: { policy: "Two editors, one decides", budget: 1200 }
steps:
  - id: brief
    type: form
    assignee: "{{profile.email}}"
    fields:
      - { name: topic, type: string, label: Topic, required: true }
      - { name: private_note, type: string, label: Private note }
    next: fetch
  - id: fetch
    type: api_call
    method: GET
    url: "${base}/text"
    output: page
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test", "chief@acme.test"]
    instructions: "Approve the post about {{runtime.topic}}?"
    show: [runtime.topic, profile.team, static.policy, runtime.page.status, runtime.missing]
    output: review
`;

// The same request without `show`: the page shows the instructions and nothing of the context.
const PLAIN_FLOW = `
id: plain-flow
name: Nothing shown
start_step: brief
steps:
  - id: brief
    type: form
    assignee: "{{profile.email}}"
    fields: [{ name: topic, type: string, required: true }]
    next: review
  - id: review
    type: approval
    approvers: ["editor@acme.test", "chief@acme.test"]
    instructions: "Decide on {{runtime.topic}}."
`;

beforeAll(async () => {
  for (const yaml of [SHOWN_FLOW, PLAIN_FLOW]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

/** Starts a run and answers its brief through the page; returns the run id once it waits on review. */
async function atReview(workflow: string, form: Record<string, string>): Promise<string> {
  const run = await startedRun(workflow, { profile: { email: "ann@acme.test", team: "Platform" } });
  const token = await mailedToken(run.run_id, "brief", "ann@acme.test");
  expect((await page("POST", token, { form })).status).toBe(303);
  return run.run_id;
}

describe("an approval page", () => {
  it("shows the instructions and exactly the values at its show paths, labelled by path", async () => {
    const runId = await atReview("shown-flow", { topic: "Queues", private_note: "only-for-the-author" });
    // The run did store what the page must not show: the note and the API's response headers.
    const stored = await runtime(runId);
    expect(stored).toMatchObject({ private_note: "only-for-the-author" });
    expect(JSON.stringify(stored.page)).toContain("x-fake");

    const view = await page("GET", await mailedToken(runId, "review", "editor@acme.test"));
    expect(view.status).toBe(200);
    expect(await textOf(view.text, "section[aria-labelledby=instructions-heading] p")).toBe(
      "Approve the post about Queues?",
    );
    expect(await recorded(view.text)).toEqual({
      "runtime.topic": "Queues",
      "profile.team": "Platform",
      "static.policy": "Two editors, one decides",
      "runtime.page.status": "200",
      "runtime.missing": "(not set)",
    });
    for (const hidden of ["only-for-the-author", "x-fake", "text/plain", "ann@acme.test", "1200"]) {
      expect(view.text).not.toContain(hidden);
    }
  });

  it("shows nothing of the context without show", async () => {
    const runId = await atReview("plain-flow", { topic: "secret-topic-in-runtime" });
    const view = await page("GET", await mailedToken(runId, "review", "editor@acme.test"));
    expect(view.status).toBe(200);
    // The instructions may quote the context: their author chose to.
    expect(await textOf(view.text, "section[aria-labelledby=instructions-heading] p")).toBe(
      "Decide on secret-topic-in-runtime.",
    );
    expect(await query(view.text, "dl")).toHaveLength(0);
    expect(view.text.split("secret-topic-in-runtime")).toHaveLength(2);
  });
});

describe("an answered approval's links", () => {
  it("show the decider their own decision and the other approver none of it", async () => {
    const runId = await atReview("plain-flow", { topic: "Who decides" });
    const editor = await mailedToken(runId, "review", "editor@acme.test");
    const chief = await mailedToken(runId, "review", "chief@acme.test");
    const res = await page("POST", editor, { form: { decision: "rejected", comment: "editor-only-remark" } });
    expect(res.status).toBe(303);

    for (const query of ["?done=1", ""]) {
      const own = await page("GET", editor, { query });
      const shown = await recorded(own.text);
      expect(Object.keys(shown)).toEqual(["Decision", "Comment", "When"]);
      expect(shown).toMatchObject({ Decision: "Rejected", Comment: "editor-only-remark" });
      expect(shown.When).toMatch(/UTC/);
    }

    const late = await page("GET", chief);
    expect(late.status).toBe(409);
    expect((await query(late.text, "h1"))[0]?.text).toBe("This request is no longer open");
    expect(await query(late.text, "dl")).toHaveLength(0);
    for (const hidden of ["editor@acme.test", "editor-only-remark", "Rejected"]) {
      expect(late.text).not.toContain(hidden);
    }
    // A late post answers the same page.
    const lateVote = await page("POST", chief, { form: { decision: "approved" } });
    expect(lateVote.status).toBe(409);
    expect(lateVote.text).not.toContain("editor-only-remark");
  });
});

describe("what a settled link shows", () => {
  const step: ApprovalStep = { id: "review", type: "approval", approvers: ["a@acme.test", "b@acme.test"] };
  const decided = {
    decision: "approved",
    approver: "a@acme.test",
    comment: "a's remark",
    decided_at: "2026-05-02T12:00:00Z",
  };

  it("never shows a decision made by someone else, even on a used link", () => {
    expect(ownRecordedValues(step, decided, "b@acme.test")).toEqual([]);
    expect(ownRecordedValues(step, decided, "a@acme.test").map((i) => i.label)).toEqual([
      "Decision",
      "Comment",
      "When",
    ]);
  });

  it("says a timeout decided a closed link, with nothing recorded", async () => {
    const state = {
      kind: "closed",
      def: { name: "Timed" },
      run: { status: "completed" },
      step,
      answered: "timeout",
    } as unknown as Exclude<LinkState, { kind: "open" }>;
    const res = settledPage(state, { recipient: "b@acme.test" } as ResumeClaims, false);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(await textOf(html)).toContain("Nobody answered in time");
    expect(await query(html, "dl")).toHaveLength(0);
  });
});

describe("show at save time", () => {
  const flow = (show: string) => `
id: show-check
name: Show check
start_step: review
context: { policy: strict }
steps:
  - id: review
    type: approval
    approvers: ["a@acme.test"]
    show: ${show}
`;

  it("accepts runtime, profile and static paths", async () => {
    const res = await api("POST", "/v1/workflows/validate", {
      yaml: flow(
        "[runtime.draft.title, profile.email, static.policy, runtime.items.0, runtime.page.headers.x-fake]",
      ),
    });
    expect(res.status, res.text).toBe(200);
  });

  it("refuses malformed paths, unknown roots, whole roots and unknown static keys with their path", async () => {
    const bad: Array<[string, string]> = [
      ["secrets.TOKEN", "steps[0].show[0]"],
      ["run.id", "steps[0].show[0]"],
      ["runtime", "steps[0].show[0]"],
      ["runtime..x", "steps[0].show[0]"],
      ["'runtime.a b'", "steps[0].show[0]"],
      ["runtime.__proto__.x", "steps[0].show[0]"],
      ["static.nope", "steps[0].show[0]"],
    ];
    for (const [path, at] of bad) {
      const res = await api("POST", "/v1/workflows/validate", { yaml: flow(`[${path}]`) });
      expect(res.status, path).toBe(422);
      const details = envelope(res).details ?? [];
      expect(
        details.map((d) => d.path),
        path,
      ).toContain(at);
    }
    const twice = await api("POST", "/v1/workflows/validate", { yaml: flow("[runtime.a, runtime.a]") });
    expect(twice.status).toBe(422);
    expect((envelope(twice).details ?? []).map((d) => d.path)).toContain("steps[0].show[1]");
    const notList = await api("POST", "/v1/workflows/validate", { yaml: flow("runtime.a") });
    expect(notList.status).toBe(422);
    expect((envelope(notList).details ?? []).map((d) => d.path)).toContain("steps[0].show");
  });
});

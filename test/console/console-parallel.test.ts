import { beforeAll, describe, expect, it } from "vitest";
import { linkOf } from "../approvals/helpers";
import { api } from "../helpers/api";
import { query } from "../helpers/html";
import { resumeRun, startedRun } from "../helpers/runs";
import { Browser } from "./browser";

// Legal approves in one branch while a writer answers a brief in the other, then a sub-workflow
// signs the brief off; the run goes on to publish once both branches ended.
const PARALLEL = `
id: console-parallel
name: Console parallel
start_step: split
steps:
  - id: split
    type: parallel
    branches: [{ start: legal }, { start: brief }]
    next: publish
  - id: legal
    type: approval
    approvers: ["legal@example.test"]
  - id: brief
    type: form
    assignee: "writer@example.test"
    fields: [{ name: note, type: string }]
    next: sign_off
  - id: sign_off
    type: workflow
    workflow: console-par-child
  - id: publish
    type: form
    assignee: "ed@example.test"
    fields: [{ name: ok, type: boolean }]
`;

const CHILD = `
id: console-par-child
name: Console parallel child
start_step: sign
steps:
  - id: sign
    type: form
    assignee: "chief@example.test"
    fields: [{ name: ok, type: boolean }]
`;

async function signedIn(): Promise<Browser> {
  const b = new Browser();
  await b.signIn("test-key-123");
  return b;
}

/** Each branch column of the page: its heading, its status, and the headings of the step cards in it. */
async function columns(html: string) {
  const out: Array<{ head: string; status: string; steps: string[] }> = [];
  for (const col of await query(html, "section.branch")) {
    const id = col.attrs.id ?? "";
    out.push({
      head: ((await query(html, `#${id} > h4`))[0]?.text ?? "").replace(/\s+/g, " ").trim(),
      status: (await query(html, `#${id} > h4 .status`))[0]?.text ?? "",
      steps: (await query(html, `#${id} section.card > h3`)).map((h) =>
        h.text.replace(/\s+/g, " ").replace(/^\d+\. /, ""),
      ),
    });
  }
  return out;
}

beforeAll(async () => {
  for (const yaml of [CHILD, PARALLEL]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("console: parallel branches", () => {
  it("shows each branch's steps in its own column, every open wait, and the parent of a child run", async () => {
    const run = await startedRun("console-parallel");
    const b = await signedIn();
    let page = await b.get(`/console/runs/${run.run_id}`);
    expect(page.status).toBe(200);
    expect(await columns(page.html)).toEqual([
      { head: "Branch 1: legal waiting", status: "waiting", steps: ["legal (approval) waiting"] },
      { head: "Branch 2: brief waiting", status: "waiting", steps: ["brief (form) waiting"] },
    ]);
    // Both waits are open, and both cards say so.
    expect((await query(page.html, "section.card.open-wait > h3")).length).toBe(2);
    expect((await query(page.html, "dl dd"))[2]?.text).toContain("(in its branches: legal, brief)");

    const answered = await resumeRun(run.run_id, await linkOf(run.run_id, "writer@example.test"), {
      note: "done",
    });
    expect(answered.status, answered.text).toBe(200);
    page = await b.get(`/console/runs/${run.run_id}`);
    const [legal, brief] = await columns(page.html);
    expect(legal?.steps).toEqual(["legal (approval) waiting"]);
    expect(brief?.steps).toEqual(["brief (form) completed", "sign_off (workflow) waiting"]);
    // Only the steps outside the parallel step are cards of the timeline itself.
    expect((await query(page.html, "main > section.card > h3")).map((h) => h.text)).toEqual([
      expect.stringContaining("split (parallel)"),
    ]);

    // The sub-workflow step in the branch links its child; the child's page links back.
    const childLink = (await query(page.html, "section.branch .attempt a[href^='/console/runs/run_']"))[0];
    expect(childLink?.text).toMatch(/^run_[0-9a-z]{26}$/);
    const child = await b.get(childLink?.attrs.href ?? "");
    const parentLink = (await query(child.html, "dl a[href^='/console/runs/']"))[0];
    expect(parentLink).toMatchObject({ text: run.run_id, attrs: { href: `/console/runs/${run.run_id}` } });
    expect(child.html).toContain("<dt>Parent run</dt>");
    expect(page.html).not.toContain("<dt>Parent run</dt>");

    const approved = await resumeRun(run.run_id, await linkOf(run.run_id, "legal@example.test"), {
      decision: "approved",
    });
    expect(approved.status, approved.text).toBe(200);
    page = await b.get(`/console/runs/${run.run_id}`);
    expect((await columns(page.html)).map((c) => [c.head, c.steps])).toEqual([
      ["Branch 1: legal completed", ["legal (approval) completed"]],
      ["Branch 2: brief waiting", ["brief (form) completed", "sign_off (workflow) waiting"]],
    ]);
  });

  it("marks the branches of a cancelled run cancelled", async () => {
    const run = await startedRun("console-parallel");
    const cancelled = await api("POST", `/v1/executions/${run.run_id}/cancel`, { json: {} });
    expect(cancelled.status, cancelled.text).toBe(200);
    const page = await (await signedIn()).get(`/console/runs/${run.run_id}`);
    expect((await columns(page.html)).map((c) => c.status)).toEqual(["cancelled", "cancelled"]);
    expect((await query(page.html, "section.card.open-wait")).length).toBe(0);
  });
});

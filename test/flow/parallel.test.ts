import { beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../ai/queue-helpers";
import { eventsOf, linkOf, listWaits } from "../approvals/helpers";
import { api, envelope } from "../helpers/api";
import { indexSettled } from "../helpers/run-db";
import { getRun, resumeRun, startedRun } from "../helpers/runs";
import { mailedToken, page } from "../pages/link-helpers";

// Legal reviews while the AI writes; the run goes on once both branches ended.
const REVIEW_AND_WRITE = `
id: par-all
name: Legal review while the AI writes
start_step: split
steps:
  - id: split
    type: parallel
    branches: [{ start: legal }, { start: write }]
    next: publish
  - id: legal
    type: approval
    approvers: ["legal@acme.test"]
    output: legal
  - id: write
    type: ai_generate
    prompt: "Write about {{runtime.topic}}."
    schema: { type: object, required: [title], properties: { title: { type: string } } }
    output: draft
  - id: publish
    type: form
    fields: [{ name: ok, type: boolean }]
`;

// The first of two reviewers to answer decides; the other's link stops working.
const FIRST_WINS = `
id: par-any
name: First reviewer wins
start_step: split
steps:
  - id: split
    type: parallel
    join: any
    branches: [{ start: brand }, { start: legal }]
    output: split
  - id: brand
    type: form
    assignee: brand@acme.test
    fields: [{ name: note, type: string }]
  - id: legal
    type: approval
    approvers: ["legal@acme.test"]
    next: legal_note
  - id: legal_note
    type: form
    fields: [{ name: note, type: string }]
`;

// Two approvals side by side, then a last one: a rejection in a branch rejects the run.
const BOTH = `
id: par-both
name: Two approvals side by side
start_step: split
steps:
  - id: split
    type: parallel
    branches: [{ start: a }, { start: b }]
  - id: a
    type: approval
    approvers: ["a@acme.test"]
  - id: b
    type: approval
    approvers: ["b@acme.test"]
`;

// A branch that runs a sub-workflow loses to a form: the child run is cancelled with its branch.
const CHILD = `
id: par-child
name: A child's form
start_step: write
steps:
  - { id: write, type: form, assignee: child@acme.test, fields: [{ name: note, type: string }] }
`;
const RACE = `
id: par-race
name: A form races a child run
start_step: split
steps:
  - id: split
    type: parallel
    join: any
    branches: [{ start: delegate }, { start: quick }]
  - { id: delegate, type: workflow, workflow: par-child }
  - { id: quick, type: form, assignee: quick@acme.test, fields: [{ name: note, type: string }] }
`;

async function save(yaml: string): Promise<void> {
  const res = await api("POST", "/v1/workflows", { yaml });
  expect(res.status, res.text).toBe(201);
}

const history = async (runId: string) =>
  (
    await api<{ steps: Array<{ step_id: string; attempts: Array<{ status: string; output: unknown }> }> }>(
      "GET",
      `/v1/executions/${runId}/history`,
    )
  ).body.steps;

const statusOf = async (runId: string, stepId: string) =>
  (await history(runId)).find((s) => s.step_id === stepId)?.attempts.at(-1)?.status;

beforeAll(async () => {
  for (const yaml of [REVIEW_AND_WRITE, FIRST_WINS, BOTH, CHILD, RACE]) await save(yaml);
});

describe("parallel steps", () => {
  it("waits on the approval in one branch while the AI completes in the other, then goes on", async () => {
    const run = await startedRun("par-all", { inputs: { topic: "edge queues" } });
    expect(run.current_step).toBe("split");
    // The approval is open at once, while the AI branch still runs.
    expect(run.waiting).toMatchObject({ step_id: "legal", type: "approval" });

    const aiDone = await waitFor(run.run_id, (s) => s.status === "waiting");
    expect(aiDone).toMatchObject({ current_step: "split", waiting: { step_id: "legal" } });
    expect(await statusOf(run.run_id, "write")).toBe("completed");
    expect(await statusOf(run.run_id, "split")).toBe("running");

    const link = await linkOf(run.run_id, "legal@acme.test");
    const approved = await resumeRun(run.run_id, link, { decision: "approved" });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: "waiting", current_step: "publish" });
    expect(approved.body.waiting?.step_id).toBe("publish");

    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.draft).toMatchObject({ title: expect.any(String) });
    expect(ctx.body.runtime.legal).toMatchObject({ decision: "approved", approver: "legal@acme.test" });
    expect(await statusOf(run.run_id, "split")).toBe("completed");
    const branches = (await eventsOf(run.run_id, "branch.completed")).map((e) => e.data?.branch);
    expect(branches.sort()).toEqual(["legal", "write"]);
  });

  it("join: any completes on the first branch and revokes the other branch's link", async () => {
    const run = await startedRun("par-any");
    expect(run.status).toBe("waiting");
    await indexSettled(run.run_id); // the inbox is D1's index, which follows the run by its index write
    const open = await listWaits(`status=open&workflow_id=par-any`);
    const mine = open.body.items.filter((w) => w.run_id === run.run_id).map((w) => w.step_id);
    expect(mine.sort()).toEqual(["brand", "legal"]);

    const brandLink = await linkOf(run.run_id, "brand@acme.test");
    const legalLink = await linkOf(run.run_id, "legal@acme.test");
    const answered = await resumeRun(run.run_id, brandLink, { note: "on brand" });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.body.status).toBe("completed");

    const late = await resumeRun(run.run_id, legalLink, { decision: "approved" });
    expect(late.status).toBe(409);
    expect(envelope(late).code).toBe("conflict");
    expect(await statusOf(run.run_id, "legal")).toBe("cancelled");
    expect(await statusOf(run.run_id, "legal_note")).toBeUndefined();
    const cancelled = await eventsOf(run.run_id, "branch.cancelled");
    expect(cancelled).toEqual([expect.objectContaining({ data: { branch: "legal", by: "brand" } })]);
    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.split).toEqual({
      join: "any",
      branches: [
        { start: "brand", status: "completed" },
        { start: "legal", status: "cancelled" },
      ],
    });
  });

  it("a branch that reaches another step goes on in its branch before the join", async () => {
    const run = await startedRun("par-any");
    const legal = await resumeRun(run.run_id, await linkOf(run.run_id, "legal@acme.test"), {
      decision: "approved",
    });
    expect(legal.status, legal.text).toBe(200);
    // The legal branch moved on to its own form; brand still waits too: two waits, the run waiting.
    expect(legal.body).toMatchObject({ status: "waiting", current_step: "split" });
    expect(await statusOf(run.run_id, "legal_note")).toBe("waiting");
    expect(await statusOf(run.run_id, "brand")).toBe("waiting");
  });

  it("each branch's link page shows its own step and takes its answer, the other branch's page stays open", async () => {
    const run = await startedRun("par-both");
    const a = await mailedToken(run.run_id, "a", "a@acme.test");
    const b = await mailedToken(run.run_id, "b", "b@acme.test");
    const pageA = await page("GET", a);
    expect(pageA.status).toBe(200);
    expect(pageA.text).toContain('name="decision"');
    expect((await page("POST", a, { form: { decision: "approved" } })).status).toBe(303);
    const pageB = await page("GET", b);
    expect(pageB.status).toBe(200);
    expect(pageB.text).toContain('name="decision"');
    expect((await page("POST", b, { form: { decision: "approved" } })).status).toBe(303);
    expect((await getRun(run.run_id)).body.status).toBe("completed");
  });

  it("a rejection in one branch rejects the run and revokes the other branch's link", async () => {
    const run = await startedRun("par-both");
    const a = await linkOf(run.run_id, "a@acme.test");
    const b = await linkOf(run.run_id, "b@acme.test");
    const rejected = await resumeRun(run.run_id, a, { decision: "rejected" });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.status).toBe("rejected");
    expect((await resumeRun(run.run_id, b, { decision: "approved" })).status).toBe(409);
    expect(await statusOf(run.run_id, "b")).toBe("cancelled");
  });

  it("both branches' approvals complete the run; the API's token answers each wait in turn", async () => {
    const run = await startedRun("par-both");
    expect(run.waiting?.step_id).toBe("a");
    const first = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { decision: "approved" });
    expect(first.body).toMatchObject({ status: "waiting", waiting: { step_id: "b" } });
    const second = await resumeRun(run.run_id, first.body.waiting?.resume_token ?? "", {
      decision: "approved",
    });
    expect(second.body.status).toBe("completed");
  });

  it("cancelling a run with two open waits revokes both links and closes both waits", async () => {
    const run = await startedRun("par-both");
    const links = [await linkOf(run.run_id, "a@acme.test"), await linkOf(run.run_id, "b@acme.test")];
    const cancelled = await api("POST", `/v1/executions/${run.run_id}/cancel`, {});
    expect(cancelled.status, cancelled.text).toBe(200);
    for (const link of links)
      expect((await resumeRun(run.run_id, link, { decision: "approved" })).status).toBe(409);
    expect(await statusOf(run.run_id, "a")).toBe("cancelled");
    expect(await statusOf(run.run_id, "b")).toBe("cancelled");
    await indexSettled(run.run_id);
    const waits = (await listWaits("workflow_id=par-both&limit=100")).body.items.filter(
      (w) => w.run_id === run.run_id,
    );
    expect(waits.map((w) => [w.step_id, w.status]).sort()).toEqual([
      ["a", "closed"],
      ["b", "closed"],
    ]);
    expect((await getRun(run.run_id)).body.status).toBe("cancelled");
  });

  it("join: any cancels a losing branch's child run, and the child's link stops working", async () => {
    const run = await startedRun("par-race");
    const steps = await api<{
      steps: Array<{ step_id: string; attempts: Array<{ input: { child_run_id?: string } }> }>;
    }>("GET", `/v1/executions/${run.run_id}/history`);
    const childId =
      steps.body.steps.find((x) => x.step_id === "delegate")?.attempts[0]?.input.child_run_id ?? "";
    const childLink = await linkOf(childId, "child@acme.test");
    expect(childLink).not.toBe("");
    const won = await resumeRun(run.run_id, await linkOf(run.run_id, "quick@acme.test"), { note: "first" });
    expect(won.body.status).toBe("completed");
    const child = await waitFor(childId, (c) => c.status === "cancelled");
    expect(child.status).toBe("cancelled");
    expect((await resumeRun(childId, childLink, { note: "late" })).status).toBe(409);
    expect(await statusOf(run.run_id, "delegate")).toBe("cancelled");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { startedRun } from "../helpers/runs";
import { mailedToken, page, recorded, textOf } from "../pages/link-helpers";

// The approval page of a quorum: how many approvals are in and still needed, and for the person who
// decided, their own decision (never someone else's).

const FLOW = `
id: page-quorum
name: Page quorum
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["a@acme.test", "b@acme.test", "c@acme.test"]
    quorum: 2
    instructions: "Buy the laptop?"
    output: approval
`;

beforeAll(async () => {
  expect((await api("POST", "/v1/workflows", { yaml: FLOW })).status).toBe(201);
});

const tokens = async (runId: string) => ({
  a: await mailedToken(runId, "approve", "a@acme.test"),
  b: await mailedToken(runId, "approve", "b@acme.test"),
  c: await mailedToken(runId, "approve", "c@acme.test"),
});

describe("the approval page of a quorum", () => {
  it("shows approvals in and still needed, then each decider's own decision only", async () => {
    const run = await startedRun("page-quorum");
    const t = await tokens(run.run_id);

    const open = await page("GET", t.b);
    expect(open.status).toBe(200);
    expect(await textOf(open.text, ".progress")).toBe("0 of 2 approvals are in; 2 more are needed.");

    const posted = await page("POST", t.a, { form: { decision: "approved", comment: "a-only-remark" } });
    expect(posted.status).toBe(303);
    const thanks = await page("GET", t.a, { query: "?done=1" });
    expect(thanks.status).toBe(200);
    expect(await textOf(thanks.text)).toContain("1 of 2 approvals is in; 1 more is needed.");
    expect(await recorded(thanks.text)).toMatchObject({ Decision: "Approved", Comment: "a-only-remark" });

    // b sees the count, not a's decision or comment.
    const bPage = await page("GET", t.b);
    expect(await textOf(bPage.text, ".progress")).toBe("1 of 2 approvals is in; 1 more is needed.");
    expect(bPage.text).not.toContain("a-only-remark");

    // b rejects: the wait ends; each link shows its own decision, and c's is closed.
    expect(
      (await page("POST", t.b, { form: { decision: "rejected", comment: "b-only-remark" } })).status,
    ).toBe(303);
    const aAfter = await page("GET", t.a);
    expect(aAfter.status).toBe(409);
    expect(await recorded(aAfter.text)).toMatchObject({ Decision: "Approved", Comment: "a-only-remark" });
    expect(aAfter.text).not.toContain("b-only-remark");
    const bAfter = await page("GET", t.b);
    expect(await recorded(bAfter.text)).toMatchObject({ Decision: "Rejected", Comment: "b-only-remark" });
    expect(bAfter.text).not.toContain("a-only-remark");
    const cAfter = await page("GET", t.c);
    expect(cAfter.status).toBe(409);
    expect(cAfter.text).not.toContain("a-only-remark");
    expect(cAfter.text).not.toContain("b-only-remark");
  });

  it("a plain one-approver page shows no count", async () => {
    const yaml = FLOW.replace("page-quorum", "page-single").replace("    quorum: 2\n", "");
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startedRun("page-single");
    const open = await page("GET", await mailedToken(run.run_id, "approve", "a@acme.test"));
    expect(open.status).toBe(200);
    expect(await textOf(open.text, ".progress")).toBe("");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { signResumeToken } from "../../src/tokens";
import { api, envelope } from "../helpers/api";
import { getRun, resumeRun, startedRun } from "../helpers/runs";
import { claimsOf, testKeyring } from "../helpers/tokens";
import { eventsOf, linkOf, mailsOf } from "./helpers";

// Quorum and separation of duties, as a user sees them through the API: three approvers, two needed,
// the requester forbidden from deciding their own purchase.

const PURCHASE = `
id: purchase-quorum
name: Purchase approval
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["a@acme.test", "b@acme.test", "c@acme.test", "{{profile.email}}"]
    quorum: 2
    forbid: ["{{profile.email}}"]
    instructions: "Buy {{runtime.item}}?"
    output: approval
`;

const UNREACHABLE = `
id: quorum-unreachable
name: Unreachable quorum
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["{{profile.email}}", "{{runtime.other}}"]
    quorum: 2
    forbid: ["{{profile.email}}"]
`;

const SINGLE = `
id: plain-approval
name: Plain approval
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["a@acme.test"]
    output: approval
`;

const REQUESTER = "requester@acme.test";
const OTHER_KEY = "other-key-456";

beforeAll(async () => {
  for (const yaml of [PURCHASE, UNREACHABLE, SINGLE]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

const startPurchase = () =>
  startedRun("purchase-quorum", { inputs: { item: "a laptop" }, profile: { email: REQUESTER } });

const context = async (runId: string) =>
  (await api<{ runtime: Record<string, unknown> }>("GET", `/v1/executions/${runId}/context`)).body.runtime;

describe("quorum", () => {
  it("waits for two of three approvals and records both decisions", async () => {
    const run = await startPurchase();
    expect(run.status).toBe("waiting");
    expect(run.waiting).toMatchObject({ type: "approval", approvals: { required: 2, received: 0 } });

    // One link per recipient, each its own token.
    const mails = await mailsOf(run.run_id);
    expect(mails.map((m) => m.to).sort()).toEqual(["a@acme.test", "b@acme.test", "c@acme.test"]);
    expect(new Set(mails.map((m) => m.token)).size).toBe(3);

    const first = await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), {
      decision: "approved",
      comment: "fine by me",
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ status: "waiting", current_step: "approve" });
    expect(first.body.waiting).toMatchObject({ approvals: { required: 2, received: 1 } });
    expect((await getRun(run.run_id)).body.waiting).toMatchObject({ approvals: { received: 1 } });

    const second = await resumeRun(run.run_id, await linkOf(run.run_id, "c@acme.test"), {
      decision: "approved",
    });
    expect(second.status, second.text).toBe(200);
    expect(second.body.status).toBe("completed");

    const result = (await context(run.run_id)).approval as Record<string, unknown>;
    expect(result).toMatchObject({ decision: "approved", approver: "c@acme.test" });
    expect(result.approvals).toEqual([
      {
        approver: "a@acme.test",
        decision: "approved",
        comment: "fine by me",
        decided_at: expect.any(String),
      },
      { approver: "c@acme.test", decision: "approved", comment: null, decided_at: expect.any(String) },
    ]);
    const decided = await eventsOf(run.run_id, "approval.decided");
    expect(decided.map((e) => [e.data?.approver, e.data?.received])).toEqual([
      ["a@acme.test", 1],
      ["c@acme.test", 2],
    ]);
    // b's link, never used, stopped working with the wait.
    const late = await resumeRun(run.run_id, await linkOf(run.run_id, "b@acme.test"), {
      decision: "approved",
    });
    expect(late.status).toBe(409);
  });

  it("a second decision through the same link is a 409 and changes nothing", async () => {
    const run = await startPurchase();
    const link = await linkOf(run.run_id, "b@acme.test");
    expect((await resumeRun(run.run_id, link, { decision: "approved" })).status).toBe(200);
    const again = await resumeRun(run.run_id, link, { decision: "rejected" });
    expect(again.status).toBe(409);
    expect(envelope(again).code).toBe("conflict");
    const now = (await getRun(run.run_id)).body;
    expect(now).toMatchObject({ status: "waiting", waiting: { approvals: { received: 1 } } });
  });

  it("any one rejection rejects the run, with every decision so far in the result", async () => {
    const run = await startPurchase();
    await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    const no = await resumeRun(run.run_id, await linkOf(run.run_id, "b@acme.test"), {
      decision: "rejected",
      comment: "over budget",
    });
    expect(no.status, no.text).toBe(200);
    expect(no.body.status).toBe("rejected");
    const result = (await context(run.run_id)).approval as { decision: string; approvals: unknown[] };
    expect(result.decision).toBe("rejected");
    expect(result.approvals).toHaveLength(2);
  });

  it("the API decides as api:<principal>, once per principal", async () => {
    const run = await startPurchase();
    const token = run.waiting?.resume_token ?? "";
    const mine = await resumeRun(run.run_id, token, { decision: "approved" });
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.waiting).toMatchObject({ approvals: { received: 1 } });
    const twice = await resumeRun(run.run_id, mine.body.waiting?.resume_token ?? "", {
      decision: "approved",
    });
    expect(twice.status).toBe(409);
    const other = await api("POST", `/v1/executions/${run.run_id}/resume`, {
      key: OTHER_KEY,
      json: { token, data: { decision: "approved" } },
    });
    expect(other.status, other.text).toBe(200);
    expect((other.body as { status: string }).status).toBe("completed");
    const result = (await context(run.run_id)).approval as { approvals: { approver: string }[] };
    expect(result.approvals.map((a) => a.approver)).toEqual(["api:tester", "api:other"]);
  });

  it("a plain approval records its API decision as api:<principal> too, with approvals", async () => {
    const run = await startedRun("plain-approval");
    expect(run.waiting).toMatchObject({ approvals: { required: 1, received: 0 } });
    const done = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { decision: "approved" });
    expect(done.body.status).toBe("completed");
    expect((await context(run.run_id)).approval).toMatchObject({
      decision: "approved",
      approver: "api:tester",
      approvals: [{ approver: "api:tester", decision: "approved" }],
    });
  });

  it("twenty concurrent decisions never over-count: exactly the quorum's decisions are recorded", async () => {
    const approvers = Array.from({ length: 20 }, (_, i) => `p${i}@acme.test`);
    const yaml = `
id: crowd-quorum
name: Crowd
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ${JSON.stringify(approvers)}
    quorum: 5
    output: approval
`;
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const run = await startedRun("crowd-quorum");
    const links = await Promise.all(approvers.map((a) => linkOf(run.run_id, a)));
    const answers = await Promise.all(links.map((l) => resumeRun(run.run_id, l, { decision: "approved" })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    expect((await getRun(run.run_id)).body.status).toBe("completed");
    const result = (await context(run.run_id)).approval as { approvals: unknown[] };
    expect(result.approvals).toHaveLength(5);
    expect(await eventsOf(run.run_id, "approval.decided")).toHaveLength(5);
  });
});

describe("forbid (separation of duties)", () => {
  it("drops the requester from the recipients: no email, an event instead", async () => {
    const run = await startPurchase();
    expect((await mailsOf(run.run_id)).some((m) => m.to === REQUESTER)).toBe(false);
    const dropped = await eventsOf(run.run_id, "wait.recipient_forbidden");
    expect(dropped).toEqual([
      expect.objectContaining({ step_id: "approve", data: { recipient: REQUESTER } }),
    ]);
  });

  it("refuses a forged token for the forbidden address with 403; the run keeps waiting", async () => {
    const run = await startPurchase();
    const claims = await claimsOf(await linkOf(run.run_id, "a@acme.test"));
    const forged = await signResumeToken(testKeyring(), {
      ...claims,
      jti: "tok_forged",
      recipient: REQUESTER,
    });
    const res = await resumeRun(run.run_id, forged, { decision: "approved" });
    expect(res.status, res.text).toBe(403);
    expect(envelope(res).code).toBe("forbidden");
    expect((await getRun(run.run_id)).body).toMatchObject({
      status: "waiting",
      waiting: { approvals: { received: 0 } },
    });
    // The recipients' own links still work.
    const ok = await resumeRun(run.run_id, await linkOf(run.run_id, "a@acme.test"), { decision: "approved" });
    expect(ok.status).toBe(200);
  });

  it("fails the step with quorum_unreachable when the rendered approvers cannot reach the quorum", async () => {
    const res = await api("POST", "/v1/executions", {
      json: {
        workflow_id: "quorum-unreachable",
        inputs: { other: "x@acme.test" },
        profile: { email: REQUESTER },
      },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toMatchObject({
      status: "failed",
      error: { code: "quorum_unreachable", step_id: "approve" },
    });
  });
});

describe("save-time rules", () => {
  const save = (steps: string) =>
    api("POST", "/v1/workflows/validate", {
      yaml: `id: rules\nname: Rules\nstart_step: approve\nsteps:\n${steps}`,
    });

  it("quorum must be reachable by the literal approvers that are not forbidden", async () => {
    const res = await save(`  - id: approve
    type: approval
    approvers: ["a@acme.test", "b@acme.test"]
    quorum: 3
`);
    expect(res.status).toBe(422);
    expect(envelope(res).details).toEqual([
      expect.objectContaining({ path: "steps[0].quorum", message: expect.stringContaining("lists 2") }),
    ]);
    const forbidden = await save(`  - id: approve
    type: approval
    approvers: ["a@acme.test", "b@acme.test"]
    forbid: ["b@acme.test"]
    quorum: 2
`);
    expect(envelope(forbidden).details?.[0]).toMatchObject({ path: "steps[0].quorum" });
    const zero = await save(`  - id: approve
    type: approval
    approvers: ["a@acme.test"]
    quorum: 0
`);
    expect(envelope(zero).details?.[0]).toMatchObject({ path: "steps[0].quorum" });
  });

  it("templated approver lists are left to run time", async () => {
    const res = await save(`  - id: approve
    type: approval
    approvers: ["{{profile.team}}"]
    quorum: 3
`);
    expect(res.status, res.text).toBe(200);
  });

  it("escalation levels come in order and before the timeout", async () => {
    const res = await save(`  - id: approve
    type: approval
    approvers: ["a@acme.test"]
    timeout: 1d
    escalate:
      - { after: 4h, to: ["lead@acme.test"] }
      - { after: 2h, to: ["boss@acme.test"] }
      - { after: 1d, to: ["ceo@acme.test"] }
`);
    expect(res.status).toBe(422);
    expect(envelope(res).details?.map((d) => d.path)).toEqual([
      "steps[0].escalate[1].after",
      "steps[0].escalate[2].after",
    ]);
    const bad = await save(`  - id: approve
    type: approval
    approvers: ["a@acme.test"]
    escalate:
      - { after: soon, to: ["lead@acme.test"] }
      - { after: 8d, to: [] }
`);
    const paths = envelope(bad).details?.map((d) => d.path) ?? [];
    expect(paths).toContain("steps[0].escalate[0].after");
    expect(paths).toContain("steps[0].escalate[1].to");
  });
});

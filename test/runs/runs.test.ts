import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { signResumeToken } from "../../src/tokens";
import { api, envelope } from "../helpers/api";
import { indexCaughtUp, indexSettled, runDb } from "../helpers/run-db";
import { getRun, type RunStatus, resumeRun, startRun } from "../helpers/runs";
import { b64url, claimsOf, expiredCopy, linkToken, tamperedCopy, testKeyring } from "../helpers/tokens";

// A support ticket: a person assesses it (form), CEL routes it, a lead signs off (approval).
const TRIAGE = `
id: ticket-flow
name: Ticket flow
start_step: intake
inputs:
  type: object
  required: [requester]
  properties:
    requester: { type: string, format: email }
    tags: { type: array, items: { type: string } }
context:
  team: Support
steps:
  - id: intake
    type: form
    title: Describe the problem
    assignee: "{{profile.email}}"
    fields:
      - { name: summary, type: string, required: true, min_length: 5, max_length: 200 }
      - { name: score, type: integer, required: true, minimum: 0, maximum: 100 }
      - { name: channel, type: string, enum: [email, phone], default: email }
    next: route
  - id: route
    type: conditional
    branches:
      - when: "runtime.score > 80"
        next: review
      - when: "size(runtime.tags) > 0 && 'urgent' in runtime.tags"
        next: review
    default: fyi
  - id: review
    type: approval
    approvers: ["lead@acme.test"]
    instructions: "Escalate '{{runtime.summary}}' for {{static.team}}?"
    output: review
  - id: fyi
    type: form
    title: Noted
    fields:
      - { name: ack, type: boolean }
`;

const LOOP = `
id: endless
name: Endless loop
start_step: spin
steps:
  - id: spin
    type: conditional
    branches:
      - when: "has(runtime.stop) && runtime.stop == true"
        next: done
    default: spin
  - id: done
    type: form
    fields: [{ name: x, type: string }]
`;

const BROKEN_CEL = `
id: broken-cel
name: CEL fails at run time
start_step: check
steps:
  - id: check
    type: conditional
    branches:
      - when: "runtime.missing.deep > 1"
        next: end
    default: end
  - id: end
    type: form
    fields: [{ name: x, type: string }]
`;

beforeAll(async () => {
  for (const yaml of [TRIAGE, LOOP, BROKEN_CEL]) {
    const res = await api("POST", "/v1/workflows", { yaml });
    expect(res.status, res.text).toBe(201);
  }
});

describe("a form → conditional → approval run, through the HTTP API only", () => {
  it("rejects invalid form data (422, still waiting) and then completes the story", async () => {
    const started = await startRun("ticket-flow", {
      inputs: { requester: "ann@acme.test", tags: [] },
      profile: { email: "ann@acme.test" },
    });
    expect(started.status).toBe(202);
    const run = started.body;
    expect(run).toMatchObject({ status: "waiting", current_step: "intake", workflow_version: 1 });
    expect(run.waiting?.type).toBe("form");
    expect(run.waiting?.fields?.map((f) => f.name)).toEqual(["summary", "score", "channel"]);
    expect(run.waiting?.resume_url).toBe(`https://scaff.test/r/${run.waiting?.resume_token}`);

    const token = run.waiting?.resume_token ?? "";
    const invalid = await resumeRun(run.run_id, token, { summary: "hi", score: 150, extra: true });
    expect(invalid.status).toBe(422);
    const paths = (envelope(invalid).details ?? []).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["summary", "score"]));
    expect((await getRun(run.run_id)).body).toMatchObject({ status: "waiting", current_step: "intake" });

    const ok = await resumeRun(run.run_id, token, { summary: "Checkout is down", score: 95 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "waiting", current_step: "review" });
    expect(ok.body.waiting?.type).toBe("approval");
    expect(ok.body.waiting?.instructions).toBe("Escalate 'Checkout is down' for Support?");

    const approved = await resumeRun(run.run_id, ok.body.waiting?.resume_token ?? "", {
      decision: "approved",
      comment: "Go",
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "completed", current_step: null });
    expect(approved.body.waiting).toBeUndefined();

    const ctx = await api<{ runtime: Record<string, unknown> }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime).toMatchObject({
      requester: "ann@acme.test",
      summary: "Checkout is down",
      score: 95,
      channel: "email",
      review: { decision: "approved", approver: "api:tester", comment: "Go" },
    });

    const history = await api<{
      steps: Array<{ step_id: string; status: string; attempts: Array<Record<string, unknown>> }>;
    }>("GET", `/v1/executions/${run.run_id}/history`);
    expect(history.body.steps.map((s) => `${s.step_id}:${s.status}`)).toEqual([
      "intake:completed",
      "route:completed",
      "review:completed",
    ]);
    expect(history.body.steps[0]?.attempts[0]?.output).toMatchObject({
      summary: "Checkout is down",
      score: 95,
    });
    expect(history.body.steps[1]?.attempts[0]?.output).toEqual({ branch: 0, next: "review" });
    expect(history.body.steps[2]?.attempts[0]?.finished_at).toBeTruthy();

    const events = await api<{ items: Array<{ type: string; step_id: string | null }> }>(
      "GET",
      `/v1/executions/${run.run_id}/events`,
    );
    const story = events.body.items.map((e) => (e.step_id ? `${e.type}@${e.step_id}` : e.type));
    expect(story).toEqual([
      "run.created",
      "run.started@intake",
      "step.started@intake",
      "run.waiting@intake",
      "mail.queued@intake",
      "run.resumed@intake",
      "step.completed@intake",
      "step.started@route",
      "step.completed@route",
      "step.started@review",
      "run.waiting@review",
      "mail.queued@review",
      "approval.decided@review",
      "run.resumed@review",
      "step.completed@review",
      "run.completed",
    ]);
  });

  it("routes with the CEL conditions: urgent tag → review, neither → default", async () => {
    const urgent = (
      await startRun("ticket-flow", { inputs: { requester: "a@acme.test", tags: ["x", "urgent"] } })
    ).body;
    const r1 = await resumeRun(urgent.run_id, urgent.waiting?.resume_token ?? "", {
      summary: "Minor thing",
      score: 10,
    });
    expect(r1.body.current_step).toBe("review");

    const calm = (await startRun("ticket-flow", { inputs: { requester: "a@acme.test", tags: [] } })).body;
    const r2 = await resumeRun(calm.run_id, calm.waiting?.resume_token ?? "", {
      summary: "Minor thing",
      score: 10,
    });
    expect(r2.body.current_step).toBe("fyi");
    const r3 = await resumeRun(calm.run_id, r2.body.waiting?.resume_token ?? "", {});
    expect(r3.body.status).toBe("completed");
  });

  it("ends with status rejected when an approval without on_reject is rejected", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "a@acme.test", tags: ["urgent"] } }))
      .body;
    const review = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", {
      summary: "Looks bad",
      score: 99,
    });
    const rejected = await resumeRun(run.run_id, review.body.waiting?.resume_token ?? "", {
      decision: "rejected",
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe("rejected");
    const bad = await startRun("ticket-flow", { inputs: { requester: "a@acme.test" } });
    expect(bad.status).toBe(202);
  });

  it("rejects an invalid approval decision with 422 and keeps waiting", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "a@acme.test", tags: ["urgent"] } }))
      .body;
    const review = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", {
      summary: "Looks bad",
      score: 99,
    });
    const bad = await resumeRun(run.run_id, review.body.waiting?.resume_token ?? "", { decision: "maybe" });
    expect(bad.status).toBe(422);
    expect(envelope(bad).details?.[0]?.path).toBe("decision");
    expect((await getRun(run.run_id)).body.current_step).toBe("review");
  });
});

describe("starting runs", () => {
  it("validates inputs against the workflow's inputs schema", async () => {
    const res = await startRun("ticket-flow", { inputs: { requester: "not-an-email" } });
    expect(res.status).toBe(422);
    expect(envelope(res).details?.[0]?.path).toBe("inputs.requester");
    const missing = await startRun("ticket-flow");
    expect(missing.status).toBe(422);
  });

  it("refuses hostile JSON in inputs, profile and resume data with 422 and the path, never a 5xx", async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const raw = (body: string, path = "/v1/executions") =>
      api("POST", path, { body, headers: { "content-type": "application/json" } });
    const tooDeep = await raw(`{"workflow_id":"ticket-flow","inputs":${deep(10_000)}}`);
    expect(tooDeep.status).toBe(422);
    expect(envelope(tooDeep).message + JSON.stringify(envelope(tooDeep).details)).toMatch(/deeper than 64/);
    const proto = await raw(
      '{"workflow_id":"ticket-flow","inputs":{"requester":"a@acme.test","__proto__":{"x":1}}}',
    );
    expect(proto.status).toBe(422);
    expect(envelope(proto).details?.[0]?.path).toBe("inputs.__proto__");
    const surrogate = await raw('{"workflow_id":"ticket-flow","profile":{"name":"\\ud800x"}}');
    expect(surrogate.status).toBe(422);
    expect(envelope(surrogate).details?.[0]?.path).toBe("profile.name");

    const run = (await startRun("ticket-flow", { inputs: { requester: "deep@acme.test" } })).body;
    const resumeDeep = await raw(
      `{"token":"${run.waiting?.resume_token}","data":${deep(50_000)}}`,
      `/v1/executions/${run.run_id}/resume`,
    );
    expect(resumeDeep.status).toBe(422);
    expect((await getRun(run.run_id)).body.status).toBe("waiting");
  });

  it("answers 404 for an unknown or deleted workflow and unknown versions", async () => {
    expect((await startRun("no-such-flow")).status).toBe(404);
    const res = await api("POST", "/v1/executions", { json: { workflow_id: "ticket-flow", version: 7 } });
    expect(res.status).toBe(404);
  });

  it("rejects unknown keys and wrong types in the start body", async () => {
    const res = await api("POST", "/v1/executions", { json: { workflow_id: "ticket-flow", input: {} } });
    expect(res.status).toBe(422);
    const res2 = await api("POST", "/v1/executions", { json: { workflow_id: "ticket-flow", inputs: [1] } });
    expect(res2.status).toBe(422);
    expect(envelope(res2).details?.[0]?.path).toBe("inputs");
  });

  it("is idempotent: 20 concurrent identical requests make one run; another body with the key is 422", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        startRun("ticket-flow", { inputs: { requester: "i@acme.test" }, key: "idem-1" }),
      ),
    );
    const ids = new Set(results.map((r) => r.body.run_id));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 202]);
    await indexSettled([...ids][0] ?? "");
    const count = await env.DB.prepare(
      "SELECT count(*) AS n FROM run_index WHERE idempotency_key = 'idem-1'",
    ).first<{
      n: number;
    }>();
    expect(count?.n).toBe(1);

    const other = await startRun("ticket-flow", { inputs: { requester: "other@acme.test" }, key: "idem-1" });
    expect(other.status).toBe(422);
    expect(envelope(other).code).toBe("idempotency_mismatch");

    const a = await startRun("ticket-flow", { inputs: { requester: "i@acme.test" } });
    const b = await startRun("ticket-flow", { inputs: { requester: "i@acme.test" } });
    expect(a.body.run_id).not.toBe(b.body.run_id);
  });
});

describe("versions and deletion", () => {
  const flow = (title: string) => `
id: pinned-flow
name: Pinned
start_step: ask
steps:
  - id: ask
    type: form
    fields: [{ name: x, type: string }]
    next: check
  - id: check
    type: form
    title: ${title}
    fields: [{ name: y, type: string }]
`;

  it("keeps a running run on the version it started with; a deleted workflow's runs continue", async () => {
    expect((await api("POST", "/v1/workflows", { yaml: flow("First") })).status).toBe(201);
    const old = (await startRun("pinned-flow")).body;
    expect((await api("PUT", "/v1/workflows/pinned-flow", { yaml: flow("Second") })).status).toBe(201);
    const fresh = (await startRun("pinned-flow")).body;
    expect(fresh.workflow_version).toBe(2);

    const oldNext = await resumeRun(old.run_id, old.waiting?.resume_token ?? "", { x: "a" });
    expect(oldNext.body).toMatchObject({ workflow_version: 1, current_step: "check" });
    expect(oldNext.body.waiting).toMatchObject({ title: "First" });
    const freshNext = await resumeRun(fresh.run_id, fresh.waiting?.resume_token ?? "", { x: "a" });
    expect(freshNext.body.waiting).toMatchObject({ title: "Second" });

    expect((await api("DELETE", "/v1/workflows/pinned-flow")).status).toBe(204);
    expect((await startRun("pinned-flow")).status).toBe(404);
    const done = await resumeRun(old.run_id, oldNext.body.waiting?.resume_token ?? "", { y: "b" });
    expect(done.body.status).toBe("completed");
  });
});

describe("resume tokens", () => {
  it("lets exactly one of 20 concurrent resumes with one token through; the run advances once", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "r@acme.test", tags: [] } })).body;
    const token = run.waiting?.resume_token ?? "";
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        resumeRun(run.run_id, token, { summary: `Attempt ${i}`, score: 10 }),
      ),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    const history = await api<{ steps: Array<{ step_id: string }> }>(
      "GET",
      `/v1/executions/${run.run_id}/history`,
    );
    expect(history.body.steps.map((s) => s.step_id)).toEqual(["intake", "route", "fyi"]);
  });

  it("answers tampering 401, expiry 410, replay 409, wrong run 401, wrong step 409", async () => {
    const run = (
      await startRun("ticket-flow", {
        inputs: { requester: "t@acme.test", tags: [] },
        profile: { email: "t@acme.test" },
      })
    ).body;
    const token = run.waiting?.resume_token ?? "";
    const data = { summary: "Tamper test", score: 1 };

    const [h, p, s] = token.split(".");
    expect((await resumeRun(run.run_id, tamperedCopy(token), data)).status).toBe(401);
    const forgedPayload = b64url(JSON.stringify({ sub: run.run_id, exp: 9999999999 }));
    expect((await resumeRun(run.run_id, `${h}.${forgedPayload}.${s}`, data)).status).toBe(401);
    const none = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${p}.`;
    expect((await resumeRun(run.run_id, none, data)).status).toBe(401);
    expect((await resumeRun(run.run_id, "garbage", data)).status).toBe(401);

    // Signed with the real key, but the stored token is another wait's: not this link (401), as the page says.
    const claims = await claimsOf(token);
    const otherWait = await signResumeToken(testKeyring(), {
      ...claims,
      waitId: "wait_00000000000000000000000000",
    });
    expect((await resumeRun(run.run_id, otherWait, data)).status).toBe(401);
    expect((await exports.default.fetch(new Request(`https://scaff.test/r/${otherWait}`))).status).toBe(401);

    const gone = await resumeRun(run.run_id, await expiredCopy(token), data);
    expect(gone.status).toBe(410);
    expect(envelope(gone).code).toBe("gone");

    const other = (await startRun("ticket-flow", { inputs: { requester: "o@acme.test", tags: [] } })).body;
    const wrongRun = await resumeRun(other.run_id, token, data);
    expect(wrongRun.status).toBe(401);

    // The assignee's emailed link belongs to the same wait; once the wait is answered it points at a past step.
    const mail = await runDb(run.run_id)
      .prepare("SELECT text_body FROM mail_outbox WHERE run_id = ? AND step_id = 'intake'")
      .bind(run.run_id)
      .first<{ text_body: string }>();
    const mailed = linkToken(mail?.text_body ?? "");
    expect(mailed).not.toBe("");

    expect((await resumeRun(run.run_id, token, data)).status).toBe(200);
    const replay = await resumeRun(run.run_id, token, data);
    expect(replay.status).toBe(409);
    const wrongStep = await resumeRun(run.run_id, mailed, { ack: true });
    expect(wrongStep.status).toBe(409);
    expect(envelope(wrongStep).message).toMatch(/not waiting on step 'intake'/);
    expect((await getRun(run.run_id)).body.current_step).toBe("fyi");
  });

  it("an approver's own link records them as the approver", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "a@acme.test", tags: ["urgent"] } }))
      .body;
    await resumeRun(run.run_id, run.waiting?.resume_token ?? "", { summary: "Needs a lead", score: 50 });
    const mail = await runDb(run.run_id)
      .prepare("SELECT text_body, to_address FROM mail_outbox WHERE run_id = ? AND step_id = 'review'")
      .bind(run.run_id)
      .first<{ text_body: string; to_address: string }>();
    expect(mail?.to_address).toBe("lead@acme.test");
    const link = linkToken(mail?.text_body ?? "");
    const done = await resumeRun(run.run_id, link, { decision: "approved" });
    expect(done.body.status).toBe("completed");
    const ctx = await api<{ runtime: { review: { approver: string } } }>(
      "GET",
      `/v1/executions/${run.run_id}/context`,
    );
    expect(ctx.body.runtime.review.approver).toBe("lead@acme.test");
  });
});

describe("durability and control", () => {
  it("survives its Durable Object being reset between wait and resume: the run is in its storage", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "d@acme.test", tags: [] } })).body;
    const stub = env.RUNS.get(env.RUNS.idFromName(run.run_id));
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAlarm();
    });
    await runInDurableObject(stub, (_instance, state) => {
      state.abort("reset for the test");
    }).catch(() => undefined);
    const res = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", {
      summary: "After reset",
      score: 5,
    });
    expect(res.status).toBe(200);
    expect(res.body.current_step).toBe("fyi");
  });

  it("is carried on by its alarm when the object died between two steps", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "k@acme.test", tags: ["urgent"] } }))
      .body;
    // As if the object crashed right after committing the form's answer: running at `route`, nothing pending.
    await runDb(run.run_id)
      .prepare(
        "UPDATE runs SET status = 'running', current_step = 'route', pending = NULL, version = version + 1, context = json_set(context, '$.runtime.score', 5, '$.runtime.summary', 'Crashed') WHERE id = ?",
      )
      .bind(run.run_id)
      .run();
    const stub = env.RUNS.get(env.RUNS.idFromName(run.run_id));
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = (await getRun(run.run_id)).body;
    expect(after).toMatchObject({ status: "waiting", current_step: "review" });
  });

  it("cancels a waiting run: its token stops working; cancelling again is 409", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "c@acme.test", tags: [] } })).body;
    const cancelled = await api<RunStatus>("POST", `/v1/executions/${run.run_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect(cancelled.body.waiting).toBeUndefined();
    const late = await resumeRun(run.run_id, run.waiting?.resume_token ?? "", {
      summary: "Too late",
      score: 1,
    });
    expect(late.status).toBe(409);
    expect((await api("POST", `/v1/executions/${run.run_id}/cancel`)).status).toBe(409);
    const events = await api<{ items: Array<{ type: string }> }>(
      "GET",
      `/v1/executions/${run.run_id}/events`,
    );
    expect(events.body.items.at(-1)?.type).toBe("run.cancelled");
  });

  it("stops an endless loop after 1,000 executed steps with a clear error", async () => {
    const res = await startRun("endless");
    expect(res.body.status).toBe("failed");
    expect(res.body.error?.code).toBe("loop_limit");
    expect(res.body.error?.message).toMatch(/1000 steps/);
  });

  it("fails the run with the expression and message when CEL evaluation fails", async () => {
    const res = await startRun("broken-cel");
    expect(res.body.status).toBe("failed");
    expect(res.body.error?.step_id).toBe("check");
    expect(res.body.error?.message).toContain("runtime.missing.deep > 1");
  });
});

describe("what start, resume and cancel answer", () => {
  it("is exactly what a status read returns afterwards, resume token included", async () => {
    const started = await startRun("ticket-flow", { inputs: { requester: "s@acme.test", tags: [] } });
    expect(started.status).toBe(202);
    expect((await getRun(started.body.run_id)).body).toEqual(started.body);

    const resumed = await resumeRun(started.body.run_id, started.body.waiting?.resume_token ?? "", {
      summary: "Same answer",
      score: 95,
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body.current_step).toBe("review");
    expect((await getRun(started.body.run_id)).body).toEqual(resumed.body);

    const cancelled = await api<RunStatus>("POST", `/v1/executions/${started.body.run_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    expect((await getRun(started.body.run_id)).body).toEqual(cancelled.body);
  });

  it("still carries a working token when the run's object lost its memory since the wait opened", async () => {
    const run = (await startRun("ticket-flow", { inputs: { requester: "m@acme.test", tags: [] } })).body;
    const stub = env.RUNS.get(env.RUNS.idFromName(run.run_id));
    await runInDurableObject(stub, (_instance, state) => {
      state.abort("forget what was minted");
    }).catch(() => undefined);
    // The status read finds the token in the object's storage; the resume through the fresh instance mints the next one.
    const again = await getRun(run.run_id);
    expect(again.body.waiting?.resume_token).toBe(run.waiting?.resume_token);
    const res = await resumeRun(run.run_id, again.body.waiting?.resume_token ?? "", {
      summary: "Fresh object",
      score: 3,
    });
    expect(res.status).toBe(200);
    expect(res.body.current_step).toBe("fyi");
    expect(res.body.waiting?.resume_token).toBeTruthy();
    expect((await getRun(run.run_id)).body).toEqual(res.body);
  });
});

describe("the template view", () => {
  it("is the same in approval instructions in the status body, the email and the page: run.id included", async () => {
    const yaml = `
id: view-check
name: View check
start_step: sign
steps:
  - id: sign
    type: approval
    approvers: ["lead@acme.test"]
    instructions: "Approve run {{run.id}} at {{run.step_id}} for {{profile.team}}"
`;
    expect((await api("POST", "/v1/workflows", { yaml })).status).toBe(201);
    const started = await startRun("view-check", { profile: { team: "Ops" } });
    expect(started.status).toBe(202);
    const runId = started.body.run_id;
    const expected = `Approve run ${runId} at sign for Ops`;
    expect(started.body.waiting?.instructions).toBe(expected);
    const mail = await runDb(runId)
      .prepare("SELECT text_body FROM mail_outbox WHERE run_id = ?")
      .bind(runId)
      .first<{ text_body: string }>();
    expect(mail?.text_body).toContain(expected);
    const page = await exports.default.fetch(
      new Request(`https://scaff.test/r/${started.body.waiting?.resume_token}`),
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(expected);
  });
});

describe("reading runs", () => {
  it("lists runs newest first with filters and cursor pagination", async () => {
    await indexCaughtUp("ticket-flow");
    const all: string[] = [];
    const times: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await api<{
        items: Array<{ run_id: string; workflow_id: string; created_at: string }>;
        next_cursor: string | null;
      }>("GET", `/v1/executions?workflow_id=ticket-flow&limit=3${q}`);
      expect(res.status).toBe(200);
      for (const r of res.body.items) expect(r.workflow_id).toBe("ticket-flow");
      all.push(...res.body.items.map((r) => r.run_id));
      times.push(...res.body.items.map((r) => Date.parse(r.created_at)));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    const n = await env.DB.prepare(
      "SELECT count(*) AS n FROM run_index WHERE workflow_id = 'ticket-flow'",
    ).first<{
      n: number;
    }>();
    expect(all.length).toBe(n?.n);
    expect(new Set(all).size).toBe(all.length);
    // Newest first (a keyed start's id is named by its key, so ids alone do not say which is newer).
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    const waiting = await api<{ items: Array<{ status: string }> }>(
      "GET",
      "/v1/executions?status=waiting&limit=100",
    );
    expect(waiting.body.items.length).toBeGreaterThan(0);
    for (const r of waiting.body.items) expect(r.status).toBe("waiting");
    expect((await api("GET", "/v1/executions?status=sleeping")).status).toBe(422);
  });

  it("answers 404 for an unknown run and 422 for a malformed id", async () => {
    expect((await getRun("run_00000000000000000000000000")).status).toBe(404);
    expect((await getRun("not-a-run")).status).toBe(422);
    expect((await api("GET", "/v1/executions/run_00000000000000000000000000/history")).status).toBe(404);
  });
});

// The approval policy pages in a real browser (called by scripts/e2e.mjs): a quorum of two with the
// requester forbidden. The page shows how many approvals are in and still needed; after deciding, a
// person's link shows their own decision and never the other approver's.

const WORKFLOW = `id: e2e-quorum
name: E2E quorum
start_step: approve
steps:
  - id: approve
    type: approval
    approvers: ["ann@example.test", "bob@example.test", "cat@example.test", "{{profile.email}}"]
    quorum: 2
    forbid: ["{{profile.email}}"]
    instructions: "Buy {{runtime.item}}?"
    show: [runtime.item]
    output: approval
`;
const REQUESTER = "req@example.test";

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * Runs the quorum checks. `t` carries what scripts/e2e.mjs has: the browser, the server's base URL, an
 * API key, its `api`, `mailedLink` and `shot` helpers, and `check`.
 */
export async function checkApprovalPolicies(t) {
  const { browser, base, key, api, mailedLink, shot, check } = t;
  const created = await api("POST", "/v1/workflows", { yaml: WORKFLOW, key });
  assert(created.status === 201 || created.status === 409, `creating e2e-quorum: ${created.status}`);
  const started = await api("POST", "/v1/executions", {
    key,
    json: { workflow_id: "e2e-quorum", profile: { email: REQUESTER }, inputs: { item: "a standing desk" } },
  });
  assert(started.status === 202, `starting e2e-quorum: ${started.status} ${started.text}`);
  const runId = started.body.run_id;
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const ann = await desktop.newPage();
  const bob = await desktop.newPage();
  const annLink = await mailedLink(runId, "approve", "ann@example.test");
  const bobLink = await mailedLink(runId, "approve", "bob@example.test");
  const progress = async (p) => (await p.locator(".progress").textContent())?.trim();

  await check("quorum: the requester gets no link; the page says 0 of 2 are in", async () => {
    const mail = await (await fetch(`${base}/dev/mail.json`)).json();
    const mine = mail.items.filter((m) => m.run_id === runId).map((m) => m.to);
    assert(!mine.includes(REQUESTER), `mailed: ${mine.join(", ")}`);
    assert(mine.length === 3, `mailed: ${mine.join(", ")}`);
    const res = await ann.goto(annLink);
    assert(res?.status() === 200, `status ${res?.status()}`);
    const text = await progress(ann);
    assert(text === "0 of 2 approvals are in; 2 more are needed.", `progress: ${text}`);
    await shot(ann, "20-quorum-open");
  });

  await check("quorum: ann approves; her page shows her decision and 1 more needed", async () => {
    await ann.getByLabel("Comment (optional)").fill("Ann says yes.");
    await Promise.all([ann.waitForURL(/\?done=1$/), ann.getByRole("button", { name: "Approve" }).click()]);
    const main = (await ann.locator("main").textContent()) ?? "";
    assert(main.includes("1 of 2 approvals is in; 1 more is needed."), `page: ${main}`);
    assert(main.includes("Approved") && main.includes("Ann says yes."), `page: ${main}`);
    await shot(ann, "21-quorum-own-decision");
  });

  await check("quorum: bob sees the count, not ann's comment", async () => {
    const res = await bob.goto(bobLink);
    assert(res?.status() === 200, `status ${res?.status()}`);
    const text = await progress(bob);
    assert(text === "1 of 2 approvals is in; 1 more is needed.", `progress: ${text}`);
    const main = (await bob.locator("main").textContent()) ?? "";
    assert(!main.includes("Ann says yes."), "ann's comment is not shown to bob");
    await shot(bob, "22-quorum-second-approver");
  });

  await check("quorum: bob's approval completes the run with both decisions", async () => {
    await Promise.all([bob.waitForURL(/\?done=1$/), bob.getByRole("button", { name: "Approve" }).click()]);
    const deadline = Date.now() + 20_000;
    let status;
    while (Date.now() < deadline) {
      status = (await api("GET", `/v1/executions/${runId}`, { key })).body;
      if (status?.status === "completed") break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert(status?.status === "completed", `run status ${status?.status}`);
    const { runtime } = (await api("GET", `/v1/executions/${runId}/context`, { key })).body;
    const who = runtime.approval?.approvals?.map((a) => a.approver).join(",");
    assert(who === "ann@example.test,bob@example.test", `approvals: ${who}`);
    await ann.goto(annLink);
    const main = (await ann.locator("main").textContent()) ?? "";
    assert(main.includes("Ann says yes.") && !main.includes("bob@"), `ann's used link: ${main}`);
    await shot(ann, "23-quorum-done-own-decision");
  });
  await desktop.close();
}

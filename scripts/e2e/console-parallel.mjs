// The console's parallel branches in a real browser (called by scripts/e2e.mjs): a run in a parallel
// step with an approval in one branch, a form then a sub-workflow in another, and a nested any-join
// in the third. Once the form and one side of the any-join are answered, the run page shows the three
// branches side by side (wide) and stacked without sideways scrolling (phone); the child run's page
// links back to its parent; the workflow's graph draws the branches side by side and the join below
// them. With E2E_DOCS_IMAGES=1 the docs' screenshot
// (docs/images/console-run-parallel.png) is written too.
import { join } from "node:path";
import { PHONE } from "../lib/viewports.mjs";
import { ROOT } from "../lib/wrangler.mjs";
import { signIn } from "./console.mjs";

const CHILD = `id: e2e-par-child
name: E2E sign-off
start_step: sign
steps:
  - id: sign
    type: form
    assignee: "chief@example.test"
    fields: [{ name: ok, type: boolean, label: Signed off }]
`;

const WORKFLOW = `id: e2e-parallel
name: Launch review
description: Legal, the brief and the looks, side by side; then publish.
start_step: split
steps:
  - id: split
    type: parallel
    branches: [{ start: legal }, { start: brief }, { start: looks }]
    next: publish
  - id: legal
    type: approval
    approvers: ["legal@example.test"]
    instructions: "Check the claims."
  - id: brief
    type: form
    assignee: "writer@example.test"
    fields: [{ name: note, type: string, label: Note }]
    next: sign_off
  - id: sign_off
    type: workflow
    workflow: e2e-par-child
  - id: looks
    type: parallel
    join: any
    branches: [{ start: brand }, { start: design }]
  - id: brand
    type: form
    assignee: "brand@example.test"
    fields: [{ name: verdict, type: string, label: Verdict }]
  - id: design
    type: approval
    approvers: ["design@example.test"]
  - id: publish
    type: form
    assignee: "ed@example.test"
    fields: [{ name: ok, type: boolean, label: Published }]
`;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Opens a form link, fills one text field, submits it. */
async function answer(context, link, label, value) {
  const p = await context.newPage();
  const res = await p.goto(link);
  assert(res?.status() === 200, `${link}: status ${res?.status()}`);
  await p.getByLabel(label).fill(value);
  await Promise.all([p.waitForURL(/\?done=1$/), p.getByRole("button", { name: "Submit" }).click()]);
  await p.close();
}

/** Waits until the run's emails for `steps` were sent (answered first, an email is dropped instead). */
async function mailsSent(api, key, runId, steps) {
  const deadline = Date.now() + 15_000;
  let sent = [];
  while (Date.now() < deadline) {
    const { body } = await api("GET", `/v1/executions/${runId}/events?limit=500`, { key });
    sent = (body?.items ?? []).filter((e) => e.type === "mail.sent").map((e) => e.step_id);
    if (steps.every((s) => sent.includes(s))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`emails sent for ${sent.join(", ") || "no step"}, not all of ${steps.join(", ")}`);
}

/** Every branch column's heading, in page order. */
const columnHeads = async (p) =>
  (await p.locator("section.branch > h4").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());

/** Runs the checks. `t` carries what scripts/e2e.mjs has (the browser, base URL, key, helpers, `check`). */
export async function checkConsoleParallel(t) {
  const { browser, base, key, api, mailedLink, shot, check } = t;
  for (const yaml of [CHILD, WORKFLOW]) {
    const created = await api("POST", "/v1/workflows", { yaml, key });
    assert(created.status === 201 || created.status === 409, `creating: ${created.status} ${created.text}`);
  }
  const started = await api("POST", "/v1/executions", { key, json: { workflow_id: "e2e-parallel" } });
  assert(started.status === 202, `starting e2e-parallel: ${started.status} ${started.text}`);
  const runId = started.body.run_id;
  const wide = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await wide.newPage();

  await check("console: a parallel run shows its branches side by side", async () => {
    await mailsSent(api, key, runId, ["legal", "brief", "brand", "design"]);
    await answer(wide, await mailedLink(runId, "brief", "writer@example.test"), "Note", "Ready");
    await answer(wide, await mailedLink(runId, "brand", "brand@example.test"), "Verdict", "On brand");
    await signIn(page, base, key);
    await page.goto(`${base}/console/runs/${runId}`);
    const heads = await columnHeads(page);
    const expected = [
      "Branch 1: legal waiting",
      "Branch 2: brief waiting",
      "Branch 3: looks completed",
      "Branch 1: brand completed",
      "Branch 2: design cancelled",
    ];
    assert(JSON.stringify(heads) === JSON.stringify(expected), `columns: ${heads.join(" | ")}`);
    // The outer three columns share one row.
    const tops = await page
      .locator("main > section.card > .branches > section.branch")
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert(tops.length === 3 && new Set(tops).size === 1, `column tops: ${tops.join(", ")}`);
    assert((await page.locator("section.card.open-wait").count()) === 1, "the open approval is marked");
    await shot(page, "18-console-run-parallel");
    if (process.env.E2E_DOCS_IMAGES === "1")
      await page.screenshot({
        path: join(ROOT, "docs", "images", "console-run-parallel.png"),
        fullPage: true,
      });
  });

  await check("console: the child run links its parent", async () => {
    const child = page.locator("section.branch .attempt a[href^='/console/runs/run_']").first();
    await Promise.all([page.waitForURL(/\/console\/runs\/run_/), child.click()]);
    assert(!page.url().endsWith(runId), "on the child's page");
    const parent = page.getByRole("link", { name: runId, exact: true });
    assert((await parent.count()) === 1, "a link to the parent run");
    await Promise.all([page.waitForURL(new RegExp(`${runId}$`)), parent.click()]);
  });

  await check("console: the workflow graph draws the branches and the join below them", async () => {
    await page.goto(`${base}/console/workflows/e2e-parallel`);
    const labels = await page.locator(".graph svg .transition text").allTextContents();
    for (const l of ["branch 1", "branch 2", "branch 3", "joined", "any: branch 1", "any: branch 2"])
      assert(labels.includes(l), `edge labels: ${labels.join(" | ")}`);
    const ys = await page
      .locator(".graph svg g.node")
      .evaluateAll((els) =>
        Object.fromEntries(els.map((e) => [e.getAttribute("data-step"), e.getBoundingClientRect().top])),
      );
    const below = Object.entries(ys).filter(([id, y]) => id !== "publish" && y >= ys.publish);
    assert(below.length === 0, `publish is not below ${below.map(([id]) => id).join(", ")}`);
    assert(ys.legal === ys.brief && ys.brief === ys.looks, "the three branch starts share a row");
    await page
      .locator(".graph")
      .screenshot({ path: join(ROOT, "test", "e2e", "artifacts", "18c-console-graph-parallel.png") });
  });

  await check("console: a parallel run's branches stack on a phone", async () => {
    const phone = await browser.newContext(PHONE);
    try {
      const m = await phone.newPage();
      await signIn(m, base, key);
      await m.goto(`${base}/console/runs/${runId}`);
      const overflow = await m.evaluate(() => document.documentElement.scrollWidth - 390);
      assert(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
      const lefts = await m
        .locator("main > section.card > .branches > section.branch")
        .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
      assert(new Set(lefts).size === 1, `stacked columns start at ${lefts.join(", ")}`);
      await shot(m, "19-console-run-parallel-phone");
    } finally {
      await phone.close();
    }
  });
  await wide.close();
}

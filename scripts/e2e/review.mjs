// The review and fix pages in Chromium (`npm run test:e2e` calls this): an editor edits a field and
// approves (the patch is recorded), sends a draft back and approves revision 2 on a phone, submits an
// invalid edit (errors next to the fields, values kept), and a fixer fixes an invalid AI output. The
// workflows are test/e2e/fixtures/review.yaml and fix.yaml; screenshots go to the artifacts folder.
import { readFileSync } from "node:fs";
import { join } from "node:path";

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const REVIEWER = "reviewer@example.test";
const FIXER = "fixer@example.test";

/** Creates the fixture workflow, or a new version when the stored one differs. */
async function ensure(api, key, root, file, id) {
  const yaml = readFileSync(join(root, "test", "e2e", "fixtures", file), "utf8");
  const created = await api("POST", "/v1/workflows", { yaml, key });
  if (created.status === 201) return;
  assert(created.status === 409, `creating ${id}: ${created.status} ${created.text}`);
  const current = await api("GET", `/v1/workflows/${id}`, { key });
  if (current.body?.source === yaml) return;
  const updated = await api("PUT", `/v1/workflows/${id}`, { yaml, key });
  assert(updated.status === 201, `updating ${id}: ${updated.status} ${updated.text}`);
}

/** Polls the run until `done(status)` holds. */
async function until(api, key, runId, done, what) {
  const deadline = Date.now() + 20_000;
  let status;
  while (Date.now() < deadline) {
    status = (await api("GET", `/v1/executions/${runId}`, { key })).body;
    if (done(status)) return status;
    await sleep(300);
  }
  throw new Error(`run ${runId} never ${what}: ${JSON.stringify(status)}`);
}

async function start(api, key, workflow) {
  const started = await api("POST", "/v1/executions", {
    key,
    json: { workflow_id: workflow, inputs: { topic: "edge queues" } },
  });
  assert(started.status === 202, `starting ${workflow}: ${started.status} ${started.text}`);
  return started.body.run_id;
}

const submit = (p, name) =>
  Promise.all([
    p.waitForResponse((r) => r.request().method() === "POST"),
    p.getByRole("button", { name }).click(),
  ]);

/**
 * Runs the review checks. `ctx` carries what e2e.mjs has: browser, base, key, root, check, shot, api,
 * mailedLink(runId, stepId, to).
 */
export async function checkReviewPages(ctx) {
  const { browser, key, root, check, shot, api, mailedLink } = ctx;
  await ensure(api, key, root, "review.yaml", "e2e-review");
  await ensure(api, key, root, "fix.yaml", "e2e-fix");
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });

  await check("review: an invalid edit shows errors next to the fields and keeps the values", async () => {
    const runId = await start(api, key, "e2e-review");
    await until(api, key, runId, (s) => s.status === "waiting", "waited for review");
    const p = await desktop.newPage();
    const res = await p.goto(await mailedLink(runId, "review", REVIEWER));
    assert(res?.status() === 200, `status ${res?.status()}`);
    await shot(p, "20-review-form");
    await p.getByLabel("title").fill("ab");
    await p.getByLabel("score").fill("400");
    // The browser's own checks would stop this post; the server's validator is what is tested.
    await p.locator("form").evaluate((f) => f.setAttribute("novalidate", ""));
    const [response] = await submit(p, "Approve");
    assert(response.status() === 422, `status ${response.status()}`);
    await p.waitForLoadState();
    const titleError = await p.locator("#o-title-error").textContent();
    const scoreError = await p.locator("#o-score-error").textContent();
    assert(titleError && scoreError, `errors: ${titleError} / ${scoreError}`);
    assert((await p.getByLabel("title").inputValue()) === "ab", "title kept");
    assert((await p.getByLabel("score").inputValue()) === "400", "score kept");
    await shot(p, "21-review-invalid");

    // Then a valid edit: approved, and the patch says what changed.
    await p.getByLabel("title").fill("Edge queues, explained");
    await p.getByLabel("score").fill("90");
    await Promise.all([p.waitForURL(/\?done=1$/), p.getByRole("button", { name: "Approve" }).click()]);
    await shot(p, "22-review-approved");
    await p.close();
    const done = await until(api, key, runId, (s) => s.status === "completed", "completed");
    assert(done.status === "completed", "completed");
    const { runtime } = (await api("GET", `/v1/executions/${runId}/context`, { key })).body;
    assert(runtime.draft.title === "Edge queues, explained", `title ${runtime.draft.title}`);
    assert(runtime.review.edited === true, "edited");
    const paths = runtime.review.patch.map((op) => op.path).sort();
    assert(paths.join() === "/score,/title", `patch ${JSON.stringify(runtime.review.patch)}`);
    assert(/^sha256:[0-9a-f]{64}$/.test(runtime.review.content_hash), "content_hash");
  });

  await check("review on a phone: request changes, then approve revision 2", async () => {
    const runId = await start(api, key, "e2e-review");
    await until(api, key, runId, (s) => s.status === "waiting", "waited for review");
    const p = await phone.newPage();
    await p.goto(await mailedLink(runId, "review", REVIEWER));
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    assert(width <= 390, `the page scrolls sideways on a phone (${width}px)`);
    await shot(p, "23-review-mobile");
    await p.getByLabel("Comment (required to request changes)").fill("Make the title punchier.");
    await Promise.all([
      p.waitForURL(/\?done=1$/),
      p.getByRole("button", { name: "Request changes" }).click(),
    ]);
    const again = await until(
      api,
      key,
      runId,
      (s) => s.status === "waiting" && s.waiting?.review?.revision === 2,
      "came back for revision 2",
    );
    // The send-back opened a new wait: a second email with its own link (the first one is closed now).
    const links = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && links.length === 0) {
      const { items } = await (await fetch(`${ctx.base}/dev/mail.json`)).json();
      const mails = items.filter((m) => m.run_id === runId && m.step_id === "review" && m.to === REVIEWER);
      if (mails.length >= 2) links.push(...mails.map((m) => m.links[0]));
      else await sleep(250);
    }
    assert(links.length >= 2, "a second review email");
    let opened = false;
    for (const link of links) {
      const res = await p.goto(link);
      if (res?.status() === 200) {
        opened = true;
        break;
      }
    }
    assert(opened, `no open link among the ${links.length} review emails`);
    const text = (await p.locator("main").textContent()) ?? "";
    assert(text.includes("Revision 2"), "revision 2 shown");
    assert((await p.getByRole("button", { name: "Request changes" }).count()) === 0, "no more send-backs");
    await shot(p, "24-review-revision-2-mobile");
    await Promise.all([p.waitForURL(/\?done=1$/), p.getByRole("button", { name: "Approve" }).click()]);
    await p.close();
    await until(api, key, runId, (s) => s.status === "completed", "completed");
    const { runtime } = (await api("GET", `/v1/executions/${runId}/context`, { key })).body;
    assert(runtime.review.revision === 2 && runtime.review.edited === false, JSON.stringify(runtime.review));
    assert(again.waiting.review.output !== undefined, "the status body carries the output");
  });

  await check("fix: a person fixes an invalid AI output", async () => {
    const runId = await start(api, key, "e2e-fix");
    const waiting = await until(api, key, runId, (s) => s.status === "waiting", "waited for a fix");
    assert(waiting.waiting.type === "fix", `type ${waiting.waiting.type}`);
    const p = await desktop.newPage();
    const res = await p.goto(await mailedLink(runId, "classify", FIXER));
    assert(res?.status() === 200, `status ${res?.status()}`);
    const errors = await p.locator("p.error").allTextContents();
    assert(errors.length > 0, "the AI's validation errors are shown");
    await shot(p, "25-fix-form");
    await p.getByLabel("category").selectOption({ label: "billing" });
    await p.getByLabel("priority").fill("2");
    await Promise.all([
      p.waitForURL(/\?done=1$/),
      p.getByRole("button", { name: "Submit the fixed output" }).click(),
    ]);
    await shot(p, "26-fix-done");
    await p.close();
    await until(api, key, runId, (s) => s.status === "completed", "completed");
    const { runtime } = (await api("GET", `/v1/executions/${runId}/context`, { key })).body;
    assert(
      runtime.triage.category === "billing" && runtime.triage.priority === 2,
      JSON.stringify(runtime.triage),
    );
    const events = (await api("GET", `/v1/executions/${runId}/events`, { key })).body.items;
    const fixed = events.find((e) => e.type === "ai.fixed");
    // Events mask email addresses (docs/telemetry.md): the fixer as f***@example.test.
    const masked = `${FIXER.slice(0, 1)}***${FIXER.slice(FIXER.indexOf("@"))}`;
    assert(fixed?.data?.fixer === masked, `ai.fixed ${JSON.stringify(fixed)}`);
  });

  await desktop.close();
  await phone.close();
}

// The console's part of `npm run test:e2e` (called by scripts/e2e.mjs): signs in with an API key,
// finds a failed AI run by filter and reads its attempts' validation errors, opens a waiting run,
// resends its link from the waits inbox, opens a workflow's SVG step graph, checks that a reader
// cannot cancel and that a post without its CSRF token is refused, cancels as an admin, signs out.
// Every request the console's pages make is recorded: none may go to another origin. Screenshots go to test/e2e/artifacts/; with
// E2E_DOCS_IMAGES=1 the docs' screenshots (docs/images/console-*.png) are written too.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readDevVars } from "../lib/dev-vars.mjs";
import { PHONE } from "../lib/viewports.mjs";
import { ROOT } from "../lib/wrangler.mjs";

const FIXTURES = join(ROOT, "test", "e2e", "fixtures");
const DOCS_IMAGES = join(ROOT, "docs", "images");
const AI_WORKFLOW = "e2e-console-ai";
const WAIT_WORKFLOW = "e2e-console-wait";
const ASKED = "ada@example.test";

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The key of the first `reader` entry of API_KEYS in .dev.vars (.dev.vars.example has one). */
function readerKey() {
  const entries = (readDevVars(join(ROOT, ".dev.vars")).API_KEYS ?? "").split(",");
  const reader = entries
    .map((e) => e.trim().split(":"))
    .find((p) => p.length >= 3 && p[p.length - 1] === "reader");
  if (!reader)
    throw new Error(
      ".dev.vars has no reader key: add one like viewer:some-reader-key:reader (.dev.vars.example)",
    );
  return reader.slice(1, -1).join(":");
}

async function ensureWorkflow(api, key, file, id) {
  const yaml = readFileSync(join(FIXTURES, file), "utf8");
  const created = await api("POST", "/v1/workflows", { yaml, key });
  if (created.status === 201) return;
  assert(created.status === 409, `creating ${id}: ${created.status} ${created.text}`);
  const current = await api("GET", `/v1/workflows/${id}`, { key });
  if (current.body?.source === yaml) return;
  const updated = await api("PUT", `/v1/workflows/${id}`, { yaml, key });
  assert(updated.status === 201, `updating ${id}: ${updated.status} ${updated.text}`);
}

/** How many emails to the asked person the dev mailbox holds for a run. */
async function mailCount(base, runId) {
  const res = await fetch(`${base}/dev/mail.json`);
  const { items } = await res.json();
  return items.filter((m) => m.run_id === runId && m.to === ASKED).length;
}

async function runUntil(api, key, runId, statuses) {
  const deadline = Date.now() + 30_000;
  let body;
  while (Date.now() < deadline) {
    body = (await api("GET", `/v1/executions/${runId}`, { key })).body;
    if (statuses.includes(body?.status)) return body;
    await sleep(300);
  }
  throw new Error(`run ${runId} is ${body?.status}, not ${statuses.join("/")}`);
}

/** A browser context whose every request is recorded; requests to another origin are refused. */
async function recordedContext(browser, base, options) {
  const context = await browser.newContext(options);
  const foreign = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`)) return route.continue();
    foreign.push(url);
    return route.abort("internetdisconnected");
  });
  return { context, foreign };
}

/** Every visible form control has a label, and the page has one h1. */
async function assertAccessible(page) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input:not([type=hidden]),select,textarea")]
      .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label"))
      .map((el) => el.outerHTML),
  );
  if (unlabelled.length > 0) throw new Error(`controls without a label: ${unlabelled.join(" ")}`);
  const h1 = await page.locator("h1").count();
  if (h1 !== 1) throw new Error(`${h1} h1 elements`);
}

export async function signIn(page, base, key) {
  await page.goto(`${base}/console`);
  await page.waitForURL(/\/console\/sign-in/);
  await page.getByLabel("API key").fill(key);
  await Promise.all([
    page.waitForURL(/\/console\/runs/),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/**
 * Runs the console's browser checks through `check` (scripts/lib/checks.mjs) against the server at
 * `base`, with the admin API key `key`; `api` calls the JSON API, `shot(page, name)` saves a screenshot.
 */
export async function checkConsole({ browser, base, key, api, check, shot, log }) {
  await ensureWorkflow(api, key, "console-ai.yaml", AI_WORKFLOW);
  await ensureWorkflow(api, key, "console-wait.yaml", WAIT_WORKFLOW);
  const failed = await api("POST", "/v1/executions", {
    key,
    json: { workflow_id: AI_WORKFLOW, inputs: { topic: "queues" } },
  });
  assert(failed.status === 202, `starting the AI run: ${failed.status} ${failed.text}`);
  const waiting = await api("POST", "/v1/executions", {
    key,
    json: { workflow_id: WAIT_WORKFLOW, profile: { email: ASKED } },
  });
  assert(waiting.status === 202, `starting the waiting run: ${waiting.status} ${waiting.text}`);
  const failedId = failed.body.run_id;
  const waitingId = waiting.body.run_id;
  await runUntil(api, key, failedId, ["failed"]);
  log(`console runs: failed ${failedId}, waiting ${waitingId}`);
  const docsShot = async (page, name) => {
    if (process.env.E2E_DOCS_IMAGES === "1")
      await page.screenshot({ path: join(DOCS_IMAGES, `console-${name}.png`) });
  };

  const { context, foreign } = await recordedContext(browser, base, {
    viewport: { width: 1100, height: 760 },
  });
  const p = await context.newPage();
  const problems = [];
  p.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });

  await check("console: sign in with an API key", async () => {
    await p.goto(`${base}/console`);
    await p.waitForURL(/\/console\/sign-in/);
    await assertAccessible(p);
    await shot(p, "10-console-sign-in");
    await docsShot(p, "sign-in");
    await p.getByLabel("API key").fill("not-the-key");
    await p.getByRole("button", { name: "Sign in" }).click();
    assert((await p.getByRole("alert").textContent())?.includes("not valid"), "a wrong key is refused");
    await p.getByLabel("API key").fill(key);
    await Promise.all([p.waitForURL(/\/console\/runs/), p.getByRole("button", { name: "Sign in" }).click()]);
    const cookies = await context.cookies(`${base}/console`);
    const session = cookies.find((c) => c.name === "scaff_session");
    assert(session?.httpOnly && session.sameSite === "Strict", `session cookie: ${JSON.stringify(session)}`);
    // The refused key's 401 page is expected: only what happens from here on counts.
    problems.length = 0;
  });

  await check("console: find the failed run by filter", async () => {
    await p.getByLabel("Workflow").fill(AI_WORKFLOW);
    await p.getByLabel("Status", { exact: true }).selectOption("failed");
    await Promise.all([p.waitForURL(/status=failed/), p.getByRole("button", { name: "Filter" }).click()]);
    assert(
      (await p.locator(`a[href="/console/runs/${failedId}"]`).count()) === 1,
      "the failed run is listed",
    );
    const counts = await p.locator(".counts").textContent();
    assert(/failed: [1-9]/.test(counts ?? ""), `counts: ${counts}`);
    await assertAccessible(p);
    // Keyboard users land on the skip link first, then the navigation.
    await p.keyboard.press("Tab");
    const first = await p.evaluate(() => document.activeElement?.textContent?.trim());
    assert(first === "Skip to content", `first focus: ${first}`);
    await shot(p, "11-console-runs");
    await docsShot(p, "runs");
  });

  await check(
    "console: the failed run's timeline shows each AI attempt with its validation errors",
    async () => {
      await Promise.all([
        p.waitForURL(new RegExp(failedId)),
        p.locator(`a[href="/console/runs/${failedId}"]`).click(),
      ]);
      const attempts = p.locator(".attempt.ai");
      assert((await attempts.count()) === 3, `AI attempts: ${await attempts.count()}`);
      assert((await p.locator(".attempt.ai .errors li").count()) >= 3, "validation errors listed");
      assert(
        (await p.getByText("Validation errors (sent back with the re-ask):").count()) === 2,
        "re-ask reasons",
      );
      assert(
        (await p.locator(".attempt.ai .facts").first().textContent())?.includes("tokens"),
        "tokens shown",
      );
      await shot(p, "12-console-run-failed");
      await docsShot(p, "run-failed");
    },
  );

  await check("console: a waiting run shows who was asked and the email", async () => {
    await p.goto(`${base}/console/runs/${waitingId}`);
    assert((await p.getByText(`recipients: ${ASKED}`).count()) === 1, "recipients");
    // The email rows come from the run's events, which mask addresses (docs/telemetry.md).
    const masked = `${ASKED.slice(0, 1)}***${ASKED.slice(ASKED.indexOf("@"))}`;
    assert((await p.locator(".human table").textContent())?.includes(masked), "the email to the recipient");
    assert((await p.getByRole("button", { name: "Cancel this run" }).count()) === 1, "admin may cancel");
    await shot(p, "13-console-run-waiting");
    await docsShot(p, "run-waiting");
  });

  await check("console: the waits inbox lists the open wait, and resends its link", async () => {
    await p.getByRole("link", { name: "Waits" }).click();
    const card = p.locator("section.card", { hasText: waitingId });
    assert((await card.count()) === 1, "the waiting run is listed");
    assert((await card.textContent())?.includes(`${ASKED} (pending)`), "with its recipient");
    const before = await mailCount(base, waitingId);
    await Promise.all([
      p.waitForURL(/done=resent/),
      card.getByRole("button", { name: "Resend link" }).click(),
    ]);
    assert((await p.getByText("The link was sent again.").count()) === 1, "confirmation");
    const deadline = Date.now() + 10_000;
    while ((await mailCount(base, waitingId)) <= before && Date.now() < deadline) await sleep(250);
    assert((await mailCount(base, waitingId)) > before, "a new email to the recipient");
    await shot(p, "14-console-waits");
    await docsShot(p, "waits");
  });

  await check("console: the workflow page draws an SVG graph with one node per step", async () => {
    await p.goto(`${base}/console/workflows`);
    await p.getByRole("link", { name: AI_WORKFLOW, exact: true }).click();
    await p.waitForURL(new RegExp(`/console/workflows/${AI_WORKFLOW}`));
    assert((await p.locator(".graph svg g.node").count()) === 4, "four nodes for four steps");
    const labels = await p.locator(".graph svg .transition text").allTextContents();
    assert(labels.includes("size(runtime.draft.title) > 0"), `branch labels: ${labels.join(" | ")}`);
    await shot(p, "15-console-workflow");
    await docsShot(p, "workflow");
  });

  await check("console: readable at phone width", async () => {
    const { context: phone, foreign: phoneForeign } = await recordedContext(browser, base, PHONE);
    try {
      const m = await phone.newPage();
      await signIn(m, base, key);
      await m.goto(`${base}/console/runs/${failedId}`);
      const overflow = await m.evaluate(() => document.documentElement.scrollWidth - 390);
      assert(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
      await shot(m, "16-console-run-phone");
      assert(phoneForeign.length === 0, `requests to other origins: ${phoneForeign.join(", ")}`);
    } finally {
      await phone.close();
    }
  });

  await check("console: a reader-role key sees no cancel button and its cancel post is refused", async () => {
    const { context: readerContext } = await recordedContext(browser, base, {
      viewport: { width: 1100, height: 760 },
    });
    try {
      const r = await readerContext.newPage();
      await signIn(r, base, readerKey());
      await r.goto(`${base}/console/runs/${waitingId}`);
      assert((await r.getByRole("button", { name: "Cancel this run" }).count()) === 0, "no cancel button");
      assert((await r.getByText("Your role (reader) may not cancel runs.").count()) === 1, "says why");
      const csrf = await r.locator("input[name=_csrf]").first().inputValue();
      const res = await readerContext.request.post(`${base}/console/runs/${waitingId}/cancel`, {
        form: { _csrf: csrf },
        maxRedirects: 0,
      });
      assert(res.status() === 403, `reader's cancel answered ${res.status()}`);
      await shot(r, "17-console-reader");
    } finally {
      await readerContext.close();
    }
    assert(
      (await api("GET", `/v1/executions/${waitingId}`, { key })).body.status === "waiting",
      "still waiting",
    );
  });

  await check("console: a POST without the CSRF token is refused (403)", async () => {
    const res = await context.request.post(`${base}/console/runs/${waitingId}/cancel`, {
      form: {},
      maxRedirects: 0,
    });
    assert(res.status() === 403, `answered ${res.status()}`);
    assert(
      (await api("GET", `/v1/executions/${waitingId}`, { key })).body.status === "waiting",
      "still waiting",
    );
  });

  await check("console: an admin cancels the waiting run", async () => {
    await p.goto(`${base}/console/runs/${waitingId}`);
    await Promise.all([
      p.waitForURL(/cancelled=1/),
      p.getByRole("button", { name: "Cancel this run" }).click(),
    ]);
    assert((await p.getByText("The run was cancelled.").count()) === 1, "confirmation");
    await runUntil(api, key, waitingId, ["cancelled"]);
  });

  await check("console: sign out ends the session", async () => {
    await Promise.all([p.waitForURL(/signed_out=1/), p.getByRole("button", { name: "Sign out" }).click()]);
    assert((await p.getByText("You are signed out.").count()) === 1, "signed-out notice");
    await p.goto(`${base}/console/runs`);
    assert(/\/console\/sign-in/.test(p.url()), `after sign-out /console/runs went to ${p.url()}`);
  });

  await check(
    "console: no page requested anything from another origin, and the script ran cleanly",
    async () => {
      assert(foreign.length === 0, `requests to other origins: ${foreign.join(", ")}`);
      assert(problems.length === 0, `console errors: ${problems.join(" | ")}`);
    },
  );
  await context.close();
}

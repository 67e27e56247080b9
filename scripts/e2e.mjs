#!/usr/bin/env node
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { checkApprovalPolicies } from "./e2e/approvals.mjs";
import { checkConsole } from "./e2e/console.mjs";
import { checkConsoleParallel } from "./e2e/console-parallel.mjs";
import { checkReviewPages } from "./e2e/review.mjs";
import { checks } from "./lib/checks.mjs";
import { firstApiKey, readDevVars } from "./lib/dev-vars.mjs";
import { checkDocsPage } from "./lib/docs-check.mjs";
// `npm run test:e2e`: the human pages in a real browser against `npm start`'s server.
// Starts `node scripts/start.mjs` on E2E_PORT (default 8799), creates the fixture workflow
// test/e2e/fixtures/form-approval.yaml, starts a run through the API, opens the author's link from
// /dev/mail.json in Chromium (playwright-core + Debian's /usr/bin/chromium), submits an invalid then
// a valid brief, opens the editor's link on a phone-sized viewport (only the step's `show` values),
// approves with a comment, opens the other approver's closed link, polls the API until the run
// completes, checks the review and fix pages (scripts/e2e/review.mjs: an edit approved, a send-back
// then revision 2 on a phone, an invalid edit, a fix), and opens /docs offline (scripts/lib/docs-check.mjs). Screenshots go to test/e2e/artifacts/. The last line is
// "N passed, N failed"; the exit code is non-zero on any failure. The server's process group is
// stopped at the end, whatever happens.
//
// Note: like `npm start`, this uses the project's local D1 (.wrangler/) and .dev.vars (created from
// .dev.vars.example when missing); it adds the workflow `e2e-form-approval` and a run per invocation.
import { PHONE } from "./lib/viewports.mjs";
import { assertPortFree, killGroup, ROOT, waitForOk } from "./lib/wrangler.mjs";

const PORT = Number(process.env.E2E_PORT ?? 8799);
const STATE_DIR = mkdtempSync(join(tmpdir(), "scaff-e2e-"));
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = join(ROOT, "test", "e2e", "artifacts");
const FIXTURE = join(ROOT, "test", "e2e", "fixtures", "form-approval.yaml");
const WORKFLOW_ID = "e2e-form-approval";
const AUTHOR = "author@example.test";
const EDITOR = "editor@example.test";
const CHIEF = "chief@example.test";
const SERVER_START_MS = 150_000;
const SERVER_STOP_MS = 20_000;
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let server;
let serverOutput = "";
let browser;
const { check, log, counts } = checks("e2e");

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startServer() {
  // Its own process group: start.mjs stops wrangler and workerd (their own group) on SIGTERM.
  server = spawn(process.execPath, [join(ROOT, "scripts", "start.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(PORT),
      // Its own state: the developer's local database is left alone.
      PERSIST_TO: STATE_DIR,
      WRANGLER_SEND_METRICS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server.stdout.on("data", (d) => {
    serverOutput += d;
  });
  server.stderr.on("data", (d) => {
    serverOutput += d;
  });
}

/** SIGTERM to start.mjs (which stops wrangler's group), SIGKILL only if it does not exit in time. */
async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  killGroup(server, "SIGTERM");
  const timer = sleep(SERVER_STOP_MS).then(() => "timeout");
  if ((await Promise.race([exited, timer])) === "timeout") {
    log("server did not stop in time: killing its process group");
    killGroup(server, "SIGKILL");
  }
}

async function waitForBanner() {
  const deadline = Date.now() + SERVER_START_MS;
  while (!serverOutput.includes("Scaff is running")) {
    if (server.exitCode !== null) throw new Error(`npm start exited:\n${serverOutput}`);
    if (Date.now() > deadline) throw new Error(`npm start did not finish starting:\n${serverOutput}`);
    await sleep(250);
  }
}

function apiKey() {
  const key = firstApiKey(readDevVars(join(ROOT, ".dev.vars")).API_KEYS);
  if (!key) throw new Error(".dev.vars has no API_KEYS entry");
  return key;
}

async function api(method, path, { json, yaml, key } = {}) {
  const headers = { authorization: `Bearer ${key}` };
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (yaml !== undefined) {
    headers["content-type"] = "application/yaml";
    body = yaml;
  }
  const res = await fetch(`${BASE}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, text };
}

/** Creates the fixture workflow, or a new version when a stored one differs from the fixture. */
async function ensureWorkflow(key) {
  const yaml = readFileSync(FIXTURE, "utf8");
  const created = await api("POST", "/v1/workflows", { yaml, key });
  if (created.status === 201) return;
  assert(created.status === 409, `creating the workflow: ${created.status} ${created.text}`);
  const current = await api("GET", `/v1/workflows/${WORKFLOW_ID}`, { key });
  if (current.body?.source === yaml) return;
  const updated = await api("PUT", `/v1/workflows/${WORKFLOW_ID}`, { yaml, key });
  assert(updated.status === 201, `updating the workflow: ${updated.status} ${updated.text}`);
}

/** The link mailed to `to` for a step of the run, from the dev mailbox (polled: mail is written with the wait). */
async function mailedLink(runId, stepId, to) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${BASE}/dev/mail.json`);
    assert(res.ok, `/dev/mail.json answered ${res.status}`);
    const { items } = await res.json();
    const mail = items.find((m) => m.run_id === runId && m.step_id === stepId && m.to === to);
    if (mail?.links?.[0]) return mail.links[0];
    await sleep(250);
  }
  throw new Error(`no email to ${to} for ${runId}/${stepId} in /dev/mail.json`);
}

async function shot(pageObj, name) {
  await pageObj.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const h1 = async (p) => (await p.locator("h1").textContent())?.trim();

async function scenario(key) {
  await ensureWorkflow(key);
  const started = await api("POST", "/v1/executions", {
    key,
    json: { workflow_id: WORKFLOW_ID, profile: { email: AUTHOR }, inputs: {} },
  });
  assert(started.status === 202, `starting a run: ${started.status} ${started.text}`);
  const runId = started.body.run_id;
  log(`run ${runId}`);
  const formLink = await mailedLink(runId, "brief", AUTHOR);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const phone = await browser.newContext(PHONE);

  await check("the dev mailbox lists the run's email with its link", async () => {
    const p = await desktop.newPage();
    await p.goto(`${BASE}/dev/mail`);
    assert((await h1(p)) === "Dev mail", "dev mail heading");
    assert((await p.locator(`a[href="${formLink}"]`).count()) >= 1, "the form link is an anchor");
    await shot(p, "00-dev-mail");
    await p.close();
  });

  await check("the form renders on a phone (opening it twice uses nothing)", async () => {
    const p = await phone.newPage();
    for (let i = 0; i < 2; i++) {
      const res = await p.goto(formLink);
      assert(res?.status() === 200, `status ${res?.status()}`);
    }
    assert((await h1(p)) === "What should we write?", "form heading");
    await shot(p, "01-form-mobile");
    await p.close();
  });

  const author = await desktop.newPage();
  await check("the author sees the form with its fields and defaults", async () => {
    const res = await author.goto(formLink);
    assert(res?.status() === 200, `status ${res?.status()}`);
    assert((await author.getByLabel("Topic").count()) === 1, "Topic input");
    assert((await author.getByLabel("Audience").inputValue()) === "developers", "Audience default");
    assert((await author.getByLabel("Word count").inputValue()) === "800", "Word count default");
    assert(!(await author.getByLabel("Urgent").isChecked()), "Urgent unchecked");
    await shot(author, "02-form-desktop");
  });

  await check(
    "an invalid brief comes back with the error next to the field and the values kept",
    async () => {
      // Only spaces: the browser's `required` and `minlength` accept it, the server does not.
      await author.getByLabel("Topic").fill("   ");
      await author.getByLabel("Word count").fill("1200");
      await author.getByLabel("Urgent").check();
      const [response] = await Promise.all([
        author.waitForResponse((r) => r.request().method() === "POST"),
        author.getByRole("button", { name: "Submit" }).click(),
      ]);
      assert(response.status() === 422, `status ${response.status()}`);
      await author.waitForLoadState();
      const error = (await author.locator("p.error").allTextContents()).join(" | ");
      assert(error === "This field is required.", `field error: ${error}`);
      assert((await author.getByRole("alert").count()) === 1, "an error summary");
      assert((await author.getByLabel("Word count").inputValue()) === "1200", "Word count kept");
      assert(await author.getByLabel("Urgent").isChecked(), "Urgent kept");
      await shot(author, "03-form-invalid");
    },
  );

  await check("a valid brief is recorded and confirmed", async () => {
    await author.getByLabel("Topic").fill("Durable Objects in practice");
    await author.getByLabel("Audience").selectOption("executives");
    await Promise.all([
      author.waitForURL(/\?done=1$/),
      author.getByRole("button", { name: "Submit" }).click(),
    ]);
    assert((await h1(author)) === "Thank you", `heading: ${await h1(author)}`);
    const text = await author.locator("main").textContent();
    assert(text?.includes("Durable Objects in practice"), "the recorded topic is shown");
    await shot(author, "04-form-thanks");
  });

  await check("the used link shows what was recorded, not the form", async () => {
    const res = await author.goto(formLink);
    assert(res?.status() === 409, `status ${res?.status()}`);
    assert((await h1(author)) === "Already recorded", `heading: ${await h1(author)}`);
    assert((await author.locator("form").count()) === 0, "no form");
    await shot(author, "05-form-already-recorded");
  });

  const approvalLink = await mailedLink(runId, "review", EDITOR);
  const editor = await phone.newPage();
  await check("the editor sees the instructions and the brief on a phone", async () => {
    const res = await editor.goto(approvalLink);
    assert(res?.status() === 200, `status ${res?.status()}`);
    const instructions = await editor
      .locator("section[aria-labelledby=instructions-heading] p")
      .textContent();
    assert(
      instructions === 'Approve a 1200-word post about "Durable Objects in practice" for executives?',
      `instructions: ${instructions}`,
    );
    assert((await editor.getByText(`You are responding as ${EDITOR}.`).count()) === 1, "approver named");
    // The step's show paths and nothing else of the run (no audience, no word count).
    const shown = await editor.locator("dt").allTextContents();
    assert(shown.join() === "runtime.topic,runtime.urgent,profile.email", `shown: ${shown.join()}`);
    await shot(editor, "06-approval-mobile");
  });

  await check("the editor approves with a comment", async () => {
    await editor.getByLabel("Comment (optional)").fill("Ship it on Tuesday.");
    await Promise.all([
      editor.waitForURL(/\?done=1$/),
      editor.getByRole("button", { name: "Approve" }).click(),
    ]);
    assert((await h1(editor)) === "Thank you", `heading: ${await h1(editor)}`);
    await shot(editor, "07-approval-thanks");
  });

  await check("the other approver's link says it is answered, not by whom or how", async () => {
    const p = await desktop.newPage();
    const res = await p.goto(await mailedLink(runId, "review", CHIEF));
    assert(res?.status() === 409, `status ${res?.status()}`);
    assert((await h1(p)) === "This request is no longer open", `heading: ${await h1(p)}`);
    const text = (await p.locator("main").textContent()) ?? "";
    assert(!text.includes(EDITOR) && !text.includes("Ship it on Tuesday."), `shows: ${text}`);
    await shot(p, "07b-approval-closed");
    await p.close();
  });

  await check("the run completes with the editor's decision", async () => {
    const deadline = Date.now() + 20_000;
    let status;
    while (Date.now() < deadline) {
      status = (await api("GET", `/v1/executions/${runId}`, { key })).body;
      if (status?.status === "completed") break;
      await sleep(300);
    }
    assert(status?.status === "completed", `run status ${status?.status}`);
    const { runtime } = (await api("GET", `/v1/executions/${runId}/context`, { key })).body;
    assert(runtime.topic === "Durable Objects in practice" && runtime.urgent === true, "brief recorded");
    assert(runtime.review?.decision === "approved", "approved");
    assert(runtime.review?.approver === EDITOR, `approver ${runtime.review?.approver}`);
    assert(runtime.review?.comment === "Ship it on Tuesday.", "comment recorded");
  });

  await checkReviewPages({ browser, base: BASE, key, root: ROOT, check, shot, api, mailedLink });
  await checkApprovalPolicies({ browser, base: BASE, key, api, mailedLink, shot, check });
  await checkConsole({ browser, base: BASE, key, api, check, shot, log });
  await checkConsoleParallel({ browser, base: BASE, key, api, mailedLink, shot, check });

  await check("/docs renders Swagger UI offline, from this origin, with no CSP violation", () =>
    checkDocsPage(browser, BASE, key, shot),
  );
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  await assertPortFree(PORT);
  log(`starting npm start's server on ${BASE}…`);
  startServer();
  await waitForOk(`${BASE}/health`, server, SERVER_START_MS);
  await waitForBanner();
  await scenario(apiKey());
}

// Ctrl-C or a kill: stop the server before leaving; whatever ends this process, tell start.mjs to stop.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    log(`${signal}: stopping the server…`);
    if (browser) void browser.close().catch(() => undefined);
    void stopServer().then(() => process.exit(130));
  });
}
process.on("exit", () => {
  if (server && server.exitCode === null && server.signalCode === null) killGroup(server, "SIGTERM");
});

let exitCode = 0;
try {
  await main();
} catch (err) {
  counts.failed++;
  log(`FAIL  setup: ${err instanceof Error ? err.message : err}`);
  if (serverOutput) console.log(`--- server output ---\n${serverOutput.slice(-4000)}\n---`);
} finally {
  if (browser) await browser.close().catch(() => undefined);
  await stopServer();
  rmSync(STATE_DIR, { recursive: true, force: true });
  if (counts.failed > 0 || counts.passed === 0) exitCode = 1;
  log(`screenshots: ${ARTIFACTS}`);
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
}
process.exitCode = exitCode;

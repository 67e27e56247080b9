// The /docs check of `npm run test:e2e`: Swagger UI renders from this origin's files only, with no
// CSP violation and no request to any other host (other hosts are refused, as if offline).

/**
 * Opens /docs in a fresh context of `browser` and asserts it renders offline under its CSP, and that
 * "Authorize" and "Try it out" work there with `apiKey`; saves a screenshot through `shot`. Throws
 * with what went wrong.
 */
export async function checkDocsPage(browser, base, apiKey, shot) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const foreign = [];
  const problems = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`)) return route.continue();
    foreign.push(url);
    return route.abort("internetdisconnected");
  });
  const p = await context.newPage();
  p.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  try {
    const res = await p.goto(`${base}/docs`);
    if (res?.status() !== 200) throw new Error(`/docs answered ${res?.status()}`);
    const csp = res.headers()["content-security-policy"] ?? "";
    if (!csp.includes("default-src 'none'")) throw new Error(`CSP: ${csp}`);
    await p.locator(".swagger-ui .info .title").waitFor({ timeout: 15_000 });
    const title = (await p.locator(".swagger-ui .info .title").textContent()) ?? "";
    if (!title.includes("Scaff API")) throw new Error(`title: ${title}`);
    const operations = await p.locator(".opblock").count();
    if (operations < 5) throw new Error(`only ${operations} operations rendered`);
    await tryListWorkflows(p, apiKey);
    await shot(p, "08-docs");
    if (foreign.length > 0) throw new Error(`requests to other hosts: ${foreign.join(", ")}`);
    if (problems.length > 0) throw new Error(`console: ${problems.join(" | ")}`);
  } finally {
    await context.close();
  }
}

/** Authorizes with the API key, then lists workflows through "Try it out": the request is same-origin. */
async function tryListWorkflows(p, apiKey) {
  await p.locator("button.authorize").first().click();
  await p.locator(".modal-ux input").first().fill(apiKey);
  await p.locator(".modal-ux button.authorize").click();
  await p.locator(".modal-ux button.btn-done").click();
  const op = p.locator("#operations-Workflows-listWorkflows");
  await op.locator(".opblock-summary").click();
  await op.locator("button.try-out__btn").click();
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table tr.response .response-col_status").first();
  await status.waitFor({ timeout: 10_000 });
  const code = (await status.textContent())?.trim();
  if (code !== "200") throw new Error(`Try it out on GET /v1/workflows answered ${code}`);
}

import { Hono } from "hono";
import { limitBody } from "../api/middleware/body-limit";
import { countRunsByStatus, listRuns } from "../db/run-index";
import { getVersion, listVersions, listWorkflows } from "../db/workflow-store";
import { loadDefinition } from "../definitions/cache";
import { ID_PATTERN } from "../definitions/identifiers";
import { timePage } from "../lib/cursor";
import { AppError } from "../lib/errors";
import { requireUser } from "./auth";
import type { ConsoleEnv } from "./console-env";
import { consoleErrorPage } from "./errors";
import { RunsPage } from "./pages/runs-page";
import { parseRunsQuery } from "./pages/runs-query";
import { mayRelink, WaitsPage } from "./pages/waits-page";
import { WorkflowPage } from "./pages/workflow-page";
import { WorkflowsPage } from "./pages/workflows-page";
import { cancelRun, readRunStory } from "./run-reads";
import { signInRoutes, signOut } from "./sign-in";
import { workflowStats } from "./stats";
import { mayCancel, RunPage } from "./timeline/run-page";
import { respond } from "./ui/respond";
import { emailField, openWaits, relink } from "./waits";

const RUNS_PAGE = 25;
const WORKFLOWS_PAGE = 50;
const RUN_ID = /^run_[0-9a-z]{26}$/;
const WAIT_ID = /^wait_[0-9a-z]{26}$/;

function runIdOf(raw: string): string {
  if (!RUN_ID.test(raw)) throw new AppError("not_found", `'${raw}' is not a run id`);
  return raw;
}

/**
 * The console (docs/console.md), mounted at `/console`: pages for the people who operate Scaff. Sign-in
 * with an API key (or Cloudflare Access) gives a signed session cookie; every page after it needs the
 * session, every POST its CSRF token. Reads go where the API's reads go: D1's index for lists, the
 * run's object for a run.
 */
export const consoleRoutes = new Hono<ConsoleEnv>();

consoleRoutes.use("*", limitBody());
consoleRoutes.route("/", signInRoutes);
consoleRoutes.use("*", requireUser());

consoleRoutes.post("/sign-out", signOut);
consoleRoutes.get("/", (c) => c.redirect("/console/runs", 303));

consoleRoutes.get("/runs", async (c) => {
  const { query, filter, after } = parseRunsQuery(c.req.query());
  const [rows, counts, workflows] = await Promise.all([
    listRuns(c.env.DB, { ...filter, limit: RUNS_PAGE, after }),
    countRunsByStatus(c.env.DB, filter),
    listWorkflows(c.env.DB, 200),
  ]);
  const { page: runs, next_cursor: nextCursor } = timePage(rows, RUNS_PAGE, (r) => ({
    t: r.createdAt,
    id: r.id,
  }));
  const workflowIds = workflows.map((w) => w.workflow.id);
  return respond(
    c,
    { title: "Runs", current: "runs" },
    <RunsPage view={{ query, runs, counts, nextCursor, workflowIds }} />,
  );
});

consoleRoutes.get("/runs/:id", async (c) => {
  const story = await readRunStory(c.env, runIdOf(c.req.param("id")));
  const user = c.get("user");
  const notice = c.req.query("cancelled") === "1" ? "The run was cancelled." : undefined;
  const r = story.run.record;
  // Which branch each step ran in; a version no longer stored (or readable) leaves the timeline flat.
  const definition = await loadDefinition(c.env.DB, r.workflowId, r.workflowVersion).catch(() => null);
  return respond(
    c,
    { title: `Run ${r.id}`, current: "runs", live: r.status === "running" || r.status === "waiting" },
    <RunPage
      story={story}
      definition={definition}
      role={user.role}
      csrf={c.get("csrf")}
      now={Date.now()}
      {...(notice ? { notice } : {})}
    />,
  );
});

consoleRoutes.post("/runs/:id/cancel", async (c) => {
  const runId = runIdOf(c.req.param("id"));
  const user = c.get("user");
  if (!mayCancel(user.role, runId)) {
    throw new AppError(
      "forbidden",
      `Your role (${user.role}) may not cancel runs: ask an operator or an admin.`,
    );
  }
  await cancelRun(c.env, runId, user.name);
  return c.redirect(`/console/runs/${runId}?cancelled=1`, 303);
});

consoleRoutes.get("/workflows", async (c) => {
  const after = c.req.query("after")?.trim() || undefined;
  if (after !== undefined && !ID_PATTERN.test(after))
    throw new AppError("bad_request", "Invalid 'after' workflow id");
  const rows = await listWorkflows(c.env.DB, WORKFLOWS_PAGE, after);
  const items = rows.slice(0, WORKFLOWS_PAGE);
  const nextAfter = rows.length > WORKFLOWS_PAGE ? (items[items.length - 1]?.workflow.id ?? null) : null;
  return respond(
    c,
    { title: "Workflows", current: "workflows" },
    <WorkflowsPage items={items} nextAfter={nextAfter} />,
  );
});

consoleRoutes.get("/workflows/:id", async (c) => {
  const id = c.req.param("id");
  if (!ID_PATTERN.test(id)) throw new AppError("not_found", `'${id}' is not a workflow id`);
  const raw = c.req.query("version");
  const wanted = raw === undefined || raw === "" ? undefined : Number(raw);
  if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1)) {
    throw new AppError("bad_request", "The version must be a whole number from 1");
  }
  const [{ version }, versions, stats] = await Promise.all([
    getVersion(c.env.DB, id, wanted),
    listVersions(c.env.DB, id),
    workflowStats(c.env, id),
  ]);
  const definition = await loadDefinition(c.env.DB, id, version.version);
  if (!definition) throw new AppError("not_found", `Workflow '${id}' has no version ${version.version}`);
  return respond(
    c,
    { title: `Workflow ${id}`, current: "workflows" },
    <WorkflowPage view={{ id, version, definition, versions, stats }} />,
  );
});

consoleRoutes.get("/waits", async (c) => {
  const notice = { resent: "The link was sent again.", reassigned: "The wait was reassigned." }[
    c.req.query("done") ?? ""
  ];
  return respond(
    c,
    { title: "Waits", current: "waits" },
    <WaitsPage
      waits={await openWaits(c.env)}
      now={Date.now()}
      role={c.get("user").role}
      csrf={c.get("csrf")}
      {...(notice ? { notice } : {})}
    />,
  );
});

consoleRoutes.post("/waits/:run/:wait/:action{resend|reassign}", async (c) => {
  const runId = runIdOf(c.req.param("run"));
  const waitId = c.req.param("wait");
  if (!WAIT_ID.test(waitId)) throw new AppError("not_found", `'${waitId}' is not a wait id`);
  const action = c.req.param("action");
  const user = c.get("user");
  if (!mayRelink(user.role, { runId, waitId }))
    throw new AppError("forbidden", `Your role (${user.role}) may not resend or reassign links.`);
  const form = await c.req.parseBody();
  const by = user.name;
  if (action === "resend") {
    const recipient = form.recipient ? emailField(form.recipient, "recipient") : undefined;
    await relink(c.env, runId, { kind: "resend", waitId, by, ...(recipient ? { recipient } : {}) });
  } else {
    await relink(c.env, runId, {
      kind: "reassign",
      waitId,
      from: emailField(form.from, "from"),
      to: emailField(form.to, "to"),
      by,
    });
  }
  return c.redirect(`/console/waits?done=${action === "resend" ? "resent" : "reassigned"}`, 303);
});

// app.route wraps each route with the onError set at mount time, so it is set here, with the routes.
consoleRoutes.onError(consoleErrorPage);

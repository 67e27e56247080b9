// What each scenario sends. Floor endpoints are the platform's floor (bench/floor/routes.ts);
// Scaff specs feed each other through a pool of waiting runs: the starts create them, status reads
// rotate over them, and each resume uses one run and its token exactly once.

export const FORM_WORKFLOW = "bench-form";
export const FULL_WORKFLOW = "bench-full";

/**
 * Durable Objects the DO floors rotate over. Not one per request: a local workerd keeps every object
 * it has created open (each SQLite-backed object has its own database), and a few thousand fresh
 * objects in seconds end in SQLITE_NOMEM 500s. So the floor is a warm object, like the one a resume
 * reaches; the cost of creating a run's object is part of what a start costs.
 */
export const FLOOR_OBJECTS = 200;

function rotatingKeys(path) {
  let i = 0;
  return (req) => ({ ...req, path: `${path}?key=floor-${i++ % FLOOR_OBJECTS}` });
}

/**
 * The floor scenarios, cheapest first. `d1-read` reads a row written before the run (`?key=hot`); the DO
 * floors rotate over FLOOR_OBJECTS warm objects, each upserting its own row (D1 or its own SQLite), except
 * `do-sqlite-new`, which reaches a new object each time.
 */
export function floorSpecs() {
  const onDo = (id, name) => ({
    id,
    name,
    method: "POST",
    path: `/v1/_floor/${id}`,
    setupRequest: rotatingKeys(`/v1/_floor/${id}`),
  });
  return [
    { id: "bare", name: "floor: bare JSON", method: "GET", path: "/v1/_floor/bare" },
    onDo("do-noop", "floor: DO RPC no-op"),
    onDo("do-sqlite", "floor: DO RPC + DO SQLite write"),
    // A new object each time (no key), as every start reaches: context for start, no target rests on it.
    // The object is Scaff's run object, so its construction includes creating the run's tables.
    {
      id: "do-sqlite-new",
      name: "floor: new DO + DO SQLite write",
      method: "POST",
      path: "/v1/_floor/do-sqlite",
    },
    { id: "d1-read", name: "floor: one D1 read", method: "GET", path: "/v1/_floor/d1-read?key=hot" },
    // A fresh row each time (no key): an insert, like a start's.
    { id: "d1-batch", name: "floor: one D1 batch", method: "POST", path: "/v1/_floor/d1-batch" },
    onDo("do-d1-batch", "floor: DO RPC + one D1 batch"),
  ];
}

/** POST /v1/executions of the form-first workflow; every 202 that waits joins the pool. */
export function startSpec(pool) {
  return {
    id: "start",
    name: "scaff: POST /v1/executions (to first wait)",
    method: "POST",
    path: "/v1/executions",
    body: JSON.stringify({ workflow_id: FORM_WORKFLOW }),
    onResponse: (status, body) => {
      if (status !== 202) return;
      const run = JSON.parse(body);
      if (run.status === "waiting" && run.waiting?.resume_token) {
        pool.push({ id: run.run_id, token: run.waiting.resume_token });
      }
    },
  };
}

/** GET /v1/executions/{id}, rotating over waiting runs (the body carries a freshly signed token). */
export function statusSpec(pool) {
  let i = 0;
  return {
    id: "status",
    name: "scaff: GET /v1/executions/{id}",
    method: "GET",
    path: `/v1/executions/${pool[0]?.id ?? "none"}`,
    setupRequest: (req) => {
      const run = pool[i++ % pool.length];
      return { ...req, path: `/v1/executions/${run.id}` };
    },
  };
}

/** POST /v1/executions/{id}/resume: each request takes the next unused run of the pool. */
export function resumeSpec(pool, connections) {
  let next = 0;
  return {
    id: "resume",
    name: "scaff: POST …/resume (form → completed)",
    method: "POST",
    path: "/v1/executions/none/resume",
    // autocannon builds one request ahead per connection; leave those spare so no token is reused.
    amount: Math.max(0, pool.length - 2 * connections),
    setupRequest: (req) => {
      const run = pool[Math.min(next++, pool.length - 1)];
      return {
        ...req,
        path: `/v1/executions/${run.id}/resume`,
        body: JSON.stringify({ token: run.token, data: { name: "bench", score: 42 } }),
      };
    },
  };
}

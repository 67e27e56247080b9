// Hostile requests against every endpoint: credentials, path and query parameters, methods, unknown
// paths, headers, content types and oversized bodies. Each case may name the statuses it expects.
import { SETTINGS } from "../../lib/server.mjs";

const KEY = SETTINGS.apiKey;
const b64 = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/** Every endpoint, with a harmless valid request for each (used with bad credentials). */
function endpoints(ctx) {
  const run = ctx.runId;
  return [
    ["GET", "/v1/workflows"],
    ["POST", "/v1/workflows", "{}"],
    ["POST", "/v1/workflows/validate", "{}"],
    ["GET", "/v1/workflows/rel-human"],
    ["PUT", "/v1/workflows/rel-human", "{}"],
    ["DELETE", "/v1/workflows/rel-human"],
    ["GET", "/v1/executions"],
    ["POST", "/v1/executions", JSON.stringify({ workflow_id: "rel-human" })],
    ["GET", `/v1/executions/${run}`],
    ["POST", `/v1/executions/${run}/resume`, JSON.stringify({ token: "x", data: {} })],
    ["POST", `/v1/executions/${run}/cancel`],
    ["GET", `/v1/executions/${run}/history`],
    ["GET", `/v1/executions/${run}/context`],
    ["GET", `/v1/executions/${run}/events`],
  ];
}

const BAD_AUTH = [
  ["no Authorization", undefined],
  ["empty Bearer", "Bearer"],
  ["Basic scheme", `Basic ${Buffer.from(`reliability:${KEY}`).toString("base64")}`],
  ["wrong key", "Bearer not-the-key"],
  ["key plus junk", `Bearer ${KEY} extra`],
  ["key prefix", `Bearer ${KEY.slice(0, -1)}`],
  ["8 KiB key", `Bearer ${"k".repeat(8192)}`],
  ["latin-1 bytes", "Bearer \u00ff\u00fe\u00e9"],
  ["Token scheme", `Token ${KEY}`],
];

/** Bad credentials on every endpoint: 401 in the envelope, never a hint of the key. */
export function authCases(ctx) {
  const out = [];
  for (const [method, path, body] of endpoints(ctx)) {
    for (const [why, value] of BAD_AUTH) {
      const headers = body ? { "content-type": "application/json" } : {};
      if (value !== undefined) headers.authorization = value;
      out.push({
        name: `${why}: ${method} ${path}`,
        method,
        path,
        body,
        headers,
        auth: false,
        expect: [401],
      });
    }
  }
  out.push({
    name: "lower-case bearer is accepted",
    method: "GET",
    path: "/v1/workflows",
    headers: { authorization: `bearer ${KEY}` },
    auth: false,
    expect: [200],
  });
  return out;
}

const BAD_RUN_IDS = [
  "x",
  "run_",
  "RUN_01JD8X3K2M4N5P6Q7R8S9T0V1W",
  "run_0000000000000000000000000",
  "run_000000000000000000000000000",
  "%00",
  "run_00000000000000000000000000%00",
  "%ZZ",
  "%2e%2e%2f%2e%2e%2fv1%2fworkflows",
  "..%2F..%2Fv1%2Fworkflows",
  encodeURIComponent("run_\u202e0000000000000000000000000"),
  encodeURIComponent("run_😀😀😀😀😀😀😀😀😀😀😀😀😀"),
  "r".repeat(5000),
  "run_00000000000000000000000000;DROP%20TABLE%20runs",
  "%F0%9F%98",
];

const BAD_WORKFLOW_IDS = [
  "-bad",
  "UPPER",
  "a".repeat(65),
  "%00",
  "%ZZ",
  encodeURIComponent("wf\u202e"),
  "..%2Fx",
  "%C0%AE%C0%AE",
];

/** Malformed and unknown run and workflow ids in paths: 404 or 422, in the envelope. */
export function pathCases() {
  const out = [];
  for (const id of BAD_RUN_IDS) {
    for (const [method, suffix] of [
      ["GET", ""],
      ["GET", "/history"],
      ["GET", "/events"],
      ["POST", "/cancel"],
      ["POST", "/resume"],
    ]) {
      const body = suffix === "/resume" ? JSON.stringify({ token: "x", data: {} }) : undefined;
      out.push({
        name: `run id ${id.slice(0, 40)}: ${method} ${suffix || "/"}`,
        method,
        path: `/v1/executions/${id}${suffix}`,
        body,
        headers: body ? { "content-type": "application/json" } : {},
        expect: [400, 404, 422],
      });
    }
  }
  out.push({
    name: "unknown but well-formed run id",
    method: "GET",
    path: "/v1/executions/run_00000000000000000000000000",
    expect: [404],
  });
  for (const id of BAD_WORKFLOW_IDS) {
    out.push({
      name: `workflow id ${id.slice(0, 30)}: GET`,
      method: "GET",
      path: `/v1/workflows/${id}`,
      expect: [400, 404, 422],
    });
    out.push({
      name: `workflow id ${id.slice(0, 30)}: DELETE`,
      method: "DELETE",
      path: `/v1/workflows/${id}`,
      expect: [400, 404, 422],
    });
  }
  return out;
}

/** Malformed pagination, filters, cursors and versions. */
export function queryCases() {
  const cursors = [
    "garbage!!",
    "",
    "x".repeat(600),
    b64("null"),
    b64("[]"),
    b64({ id: 1 }),
    b64({ t: "x", id: "y" }),
    "eyJ0IjoxZTQwMCwiaWQiOiJ6In0", // {"t":1e400,"id":"z"}: Infinity after JSON.parse
    b64({ t: -1e308, id: "'; DROP TABLE runs;--" }),
    b64({ e: 1.5 }),
    "eyJlIjoxZTQwMH0", // {"e":1e400}
    "eyJlIjotOTAwNzE5OTI1NDc0MDk5M30", // {"e":-9007199254740993}: beyond 2^53
    Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString("base64url"),
    "%ZZ",
  ];
  const out = [];
  for (const limit of [
    "-1",
    "0",
    "101",
    "abc",
    "1.5",
    "",
    "99999999999999999999999",
    "NaN",
    "Infinity",
    "1e2",
    "0x10",
  ]) {
    out.push({
      name: `workflows limit=${limit}`,
      method: "GET",
      path: `/v1/workflows?limit=${limit}`,
      expect: [200, 400, 422],
    });
    out.push({
      name: `executions limit=${limit}`,
      method: "GET",
      path: `/v1/executions?limit=${limit}`,
      expect: [200, 400, 422],
    });
  }
  for (const c of cursors) {
    const q = c.startsWith("%") ? c : encodeURIComponent(c);
    out.push({
      name: `workflows cursor ${c.slice(0, 30)}`,
      method: "GET",
      path: `/v1/workflows?cursor=${q}`,
      expect: [200, 400, 422],
    });
    out.push({
      name: `executions cursor ${c.slice(0, 30)}`,
      method: "GET",
      path: `/v1/executions?cursor=${q}`,
      expect: [200, 400, 422],
    });
    out.push({
      name: `events cursor ${c.slice(0, 30)}`,
      method: "GET",
      path: "/v1/executions/RUN/events?cursor=".replace("RUN", "{run}") + q,
      expect: [200, 400, 422],
    });
  }
  for (const q of [
    "status=bogus",
    "status=",
    `workflow_id=${"w".repeat(65)}`,
    "status=waiting&status=bogus",
    "limit=1&limit=500",
  ])
    out.push({
      name: `executions ?${q.slice(0, 30)}`,
      method: "GET",
      path: `/v1/executions?${q}`,
      expect: [200, 422],
    });
  for (const v of ["abc", "0", "-1", "1.5", "1e400", "99999999999", ""])
    out.push({
      name: `workflow ?version=${v}`,
      method: "GET",
      path: `/v1/workflows/rel-human?version=${v}`,
      expect: [200, 404, 422],
    });
  for (const l of ["0", "1001", "-5", "x"])
    out.push({
      name: `events limit=${l}`,
      method: "GET",
      path: `/v1/executions/{run}/events?limit=${l}`,
      expect: [422],
    });
  return out;
}

/** Wrong methods, unknown paths, odd spellings of real ones. */
export function routeCases() {
  return [
    ["PATCH", "/v1/workflows"],
    ["DELETE", "/v1/executions"],
    ["PUT", "/v1/executions/{run}"],
    ["GET", "/v1/executions/{run}/resume"],
    ["GET", "/v1/executions/{run}/cancel"],
    ["OPTIONS", "/v1/workflows"],
    ["POST", "/health"],
    ["GET", "/"],
    ["GET", "/v2/workflows"],
    ["GET", "/v1"],
    ["GET", "//v1//workflows"],
    ["GET", "/V1/WORKFLOWS"],
    ["GET", "/v1/executions/{run}/unknown"],
    ["GET", "/%ZZ"],
    ["GET", `/${"p".repeat(10000)}`],
    ["GET", "/v1/workflows/../../etc/passwd"],
    ["GET", "/r/garbage"],
    ["POST", "/r/garbage"],
    ["GET", `/r/${"x".repeat(5000)}`],
    ["GET", "/dev/mail/%00"],
    ["GET", "/dev/mail/../../x"],
  ].map(([method, path]) => ({
    name: `${method} ${path.slice(0, 40)}`,
    method,
    path,
    body: method === "POST" ? "" : undefined,
  }));
}

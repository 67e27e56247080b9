// Why is an operation slower than its floor? This probe counts the D1 round trips (and the time spent
// in them) per operation, for the Worker and its Durable Objects together: in the test pool they share
// one isolate, so wrapping the D1 binding's prototypes sees every call. Timings here are sequential
// and noisy; the counts are exact. Run: npx vitest run --config bench/probe/vitest.config.ts
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";

const H = { authorization: "Bearer test-key-123", "content-type": "application/json" };
const FORM = `id: probe-form\nname: Probe\nstart_step: ask\nsteps:\n  - id: ask\n    type: form\n    fields:\n      - { name: name, type: string, required: true }\n`;
const N = 40;

const counts: Record<string, number> = {};
let d1Ms = 0;

/** Replaces each named method of proto with one that counts its calls and times its promise. */
function instrument(proto: Record<string, unknown>, names: string[], label: string): void {
  for (const name of names) {
    const original = proto[name];
    if (typeof original !== "function") continue;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const key = `${label}.${name}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const t = performance.now();
      const out: unknown = original.apply(this, args);
      if (out instanceof Promise) {
        return out.finally(() => {
          d1Ms += performance.now() - t;
        });
      }
      return out;
    };
  }
}

instrument(Object.getPrototypeOf(env.DB), ["batch", "exec"], "db");
instrument(Object.getPrototypeOf(env.DB.prepare("SELECT 1")), ["first", "all", "run", "raw"], "stmt");

const call = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`http://probe${path}`, { headers: H, ...init }));

async function measure(label: string, send: (i: number) => Promise<Response>): Promise<void> {
  for (const k of Object.keys(counts)) delete counts[k];
  d1Ms = 0;
  const t = performance.now();
  for (let i = 0; i < N; i++) {
    const res = await send(i);
    const text = await res.text();
    expect(res.status, text).toBeLessThan(300);
  }
  const perOp = Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number((v / N).toFixed(2))]));
  const ms = ((performance.now() - t) / N).toFixed(2);
  console.log(
    `${label.padEnd(12)} D1 calls/op ${JSON.stringify(perOp)}  ms/op ${ms}  in D1 ${(d1Ms / N).toFixed(2)}`,
  );
}

it("counts D1 round trips per floor and Scaff operation", async () => {
  const created = await call("/v1/workflows", {
    method: "POST",
    body: FORM,
    headers: { ...H, "content-type": "application/yaml" },
  });
  expect(created.status).toBe(201);
  await call("/v1/_floor/setup", { method: "POST" });
  await call("/v1/_floor/d1-batch?key=hot", { method: "POST" });
  for (let i = 0; i < 10; i++) await (await call("/v1/_floor/do-d1-batch", { method: "POST" })).text();

  await measure("bare", () => call("/v1/_floor/bare"));
  await measure("d1-read", () => call("/v1/_floor/d1-read?key=hot"));
  await measure("do-noop", () => call("/v1/_floor/do-noop", { method: "POST" }));
  await measure("d1-batch", () => call("/v1/_floor/d1-batch", { method: "POST" }));
  await measure("do-d1-batch", () => call("/v1/_floor/do-d1-batch", { method: "POST" }));

  const pool: { id: string; token: string }[] = [];
  await measure("start", async () => {
    const res = await call("/v1/executions", {
      method: "POST",
      body: JSON.stringify({ workflow_id: "probe-form" }),
    });
    const run = (await res.clone().json()) as { run_id: string; waiting: { resume_token: string } };
    pool.push({ id: run.run_id, token: run.waiting.resume_token });
    return res;
  });
  await measure("status", (i) => call(`/v1/executions/${pool[i % pool.length]?.id}`));
  await measure("resume", (i) =>
    call(`/v1/executions/${pool[i]?.id}/resume`, {
      method: "POST",
      body: JSON.stringify({ token: pool[i]?.token, data: { name: "probe" } }),
    }),
  );
});

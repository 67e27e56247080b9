// Multi-request hostile cases: accepted hostile data must read back unchanged, unicode workflow names
// must survive storage, and a form pattern with nested quantifiers must not let one answer stall the Worker.
import { roundTripCases, UNICODE } from "./bodies.mjs";

/** JSON with sorted keys, so equal data compares equal whatever the key order. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** Starts rel-human with hostile inputs; status, context, history and events must answer and agree. */
export function roundTripFlows() {
  return roundTripCases().map((c) => ({
    name: `round trip: ${c.name}`,
    flow: async (send, t) => {
      const inputsText = c.raw ?? JSON.stringify(c.inputs);
      const started = await send({
        name: `round trip ${c.name}: start`,
        method: "POST",
        path: "/v1/executions",
        body: `{"workflow_id":"rel-human","inputs":${inputsText}}`,
        headers: { "content-type": "application/json" },
        expect: c.refused ? [422] : [202],
      });
      if (c.refused) {
        const details = JSON.stringify(started.body?.error?.details ?? []);
        t.check(details.includes('"path":"inputs.'), `round trip ${c.name}: the refusal names the key`, {
          details,
        });
        return;
      }
      const runId = started.body?.run_id;
      if (!runId) return;
      for (const part of ["", "/history", "/events"])
        await send({
          name: `round trip ${c.name}: GET ${part || "status"}`,
          method: "GET",
          path: `/v1/executions/${runId}${part}`,
          expect: [200],
        });
      const ctx = await send({
        name: `round trip ${c.name}: GET context`,
        method: "GET",
        path: `/v1/executions/${runId}/context`,
        expect: [200],
      });
      const sent = JSON.parse(inputsText);
      t.check(
        ctx.body && canonical(ctx.body.runtime) === canonical(sent),
        `round trip ${c.name}: runtime reads back exactly as sent`,
        { sent: canonical(sent).slice(0, 200), got: canonical(ctx.body?.runtime).slice(0, 200) },
      );
      await send({
        name: `round trip ${c.name}: cancel`,
        method: "POST",
        path: `/v1/executions/${runId}/cancel`,
        expect: [200],
      });
    },
  }));
}

/** Workflow names with unicode edge cases and lone surrogates: saved, listed and read back unchanged. */
export function storageFlows() {
  const names = { ...UNICODE, lone: "\ud800 lone" };
  return Object.entries(names).map(([label, value], i) => ({
    name: `stored name ${label}`,
    flow: async (send, t) => {
      const id = `rel-name-${i}`;
      const def = {
        id,
        name: value,
        description: value,
        start_step: "ask",
        steps: [{ id: "ask", type: "form", title: value, fields: [{ name: "x", type: "string" }] }],
      };
      // JSON.stringify keeps a lone surrogate as a \ud800 escape, exactly what a hostile client sends.
      const created = await send({
        name: `name ${label}: save`,
        method: "POST",
        path: "/v1/workflows",
        json: def,
        expect: [201, 422],
      });
      if (created.status !== 201) return;
      const got = await send({
        name: `name ${label}: read`,
        method: "GET",
        path: `/v1/workflows/${id}`,
        expect: [200],
      });
      await send({
        name: `name ${label}: list`,
        method: "GET",
        path: "/v1/workflows?limit=100",
        expect: [200],
      });
      const run = await send({
        name: `name ${label}: run`,
        method: "POST",
        path: "/v1/executions",
        json: { workflow_id: id },
        expect: [202],
      });
      t.check(
        got.body?.name === value && got.body?.description === value,
        `name ${label}: reads back unchanged`,
        {
          sent: JSON.stringify(value),
          got: JSON.stringify(got.body?.name),
        },
      );
      t.check(run.body?.status === "waiting", `name ${label}: a run of it waits at its form`, run.text);
    },
  }));
}

/** Answers a form whose field has `pattern: ^(a+)+$` with 'a'×n + 'b'; times the answer and a /health meanwhile. */
export function patternFlow() {
  const N = 29;
  return [
    {
      name: "form pattern with nested quantifiers",
      flow: async (send, t, helpers) => {
        const id = "rel-redos";
        const source = `id: ${id}\nname: R\nstart_step: ask\nsteps:\n  - id: ask\n    type: form\n    fields: [{ name: code, type: string, pattern: "^(a+)+$" }]\n`;
        const created = await send({
          name: "redos: save",
          method: "POST",
          path: "/v1/workflows",
          body: source,
          headers: { "content-type": "application/yaml" },
          expect: [201, 422],
        });
        if (created.status !== 201) return;
        const run = await send({
          name: "redos: run",
          method: "POST",
          path: "/v1/executions",
          json: { workflow_id: id },
          expect: [202],
        });
        const token = run.body?.waiting?.resume_token;
        if (!token) return;
        const resume = (n) =>
          send({
            name: `redos: answer of ${n + 1} chars`,
            method: "POST",
            path: `/v1/executions/${run.body.run_id}/resume`,
            json: { token, data: { code: `${"a".repeat(n)}b` } },
            expect: [422],
          });
        const small = await resume(10);
        const [big, health] = await Promise.all([
          resume(N),
          helpers.sleep(100).then(() => helpers.timed("/health")),
        ]);
        t.note(
          `form pattern ^(a+)+$: an answer of 11 chars took ${small.ms} ms, of ${N + 1} chars ${big.ms} ms (doubling per char); /health meanwhile ${health} ms (the isolate is blocked)`,
        );
        t.check(big.ms < 1000, `an answer of ${N + 1} chars to a pattern field is judged within 1 s`, {
          ms: big.ms,
          status: big.status,
        });
        // Locally the run's Durable Object shares the Worker's isolate, so /health waits too; in production
        // only that run's object (and the CPU limit) would be hit. Reported, not judged.
      },
    },
  ];
}

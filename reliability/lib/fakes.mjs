// Servers the hostile scenario points the Worker at, on 127.0.0.1: two "wire" origins that record every
// request they receive (so the suite sees what reached the wire, from the receiving side), and an
// OpenAI-compatible endpoint whose answer is chosen by a `CASE:<name>` marker in the prompt.
import { createServer } from "node:http";

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

/** A recording origin: `/redirect?to=URL` answers 302 to it, anything else 200 `{ok: true}`. */
async function wireOrigin(name) {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      requests.push({
        method: req.method,
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (url.pathname === "/redirect") {
        res.writeHead(Number(url.searchParams.get("status") ?? 302), {
          location: url.searchParams.get("to"),
        });
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, origin: name }));
    });
  });
  const port = await listen(server);
  return { name, port, base: `http://127.0.0.1:${port}`, requests, close: () => server.close() };
}

/** Two origins, `a` (secrets allowed) and `b` (not). */
export async function startWire() {
  const [a, b] = await Promise.all([wireOrigin("a"), wireOrigin("b")]);
  const close = () => {
    a.close();
    b.close();
  };
  return { a, b, close };
}

/** What the fake model answers for each case: the content of its one choice. */
const ANSWERS = {
  huge: () => JSON.stringify({ title: "t".repeat(3 * 1024 * 1024), score: 1 }),
  proto: () =>
    '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "title": "proto", "score": 2}',
  template: () =>
    JSON.stringify({ title: "{{secrets.REL_TOKEN}} {{{runtime.x}}} {{#run}}{{id}}{{/run}}", score: 3 }),
  garbage: () => "\u0000\ud800 not json {{{",
};

/** An OpenAI-compatible chat completions endpoint; `requests` counts what it was asked. */
export async function startFakeOpenAi() {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      const kind = /CASE:(\w+)/.exec(text)?.[1] ?? "garbage";
      requests.push(kind);
      const content = (ANSWERS[kind] ?? ANSWERS.garbage)();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${requests.length}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: "fake-model",
          choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
    });
  });
  const port = await listen(server);
  return { base: `http://127.0.0.1:${port}/v1`, requests, close: () => server.close() };
}

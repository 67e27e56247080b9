// Header abuse on POST /v1/executions (Idempotency-Key, Content-Type) and bodies over the 1 MiB limit on
// every endpoint that takes one, with and without Content-Length.

/** Idempotency-Key and content-type abuse on POST /v1/executions; oversized bodies everywhere. */
export function headerCases() {
  const start = JSON.stringify({ workflow_id: "rel-human" });
  const idem = (name, value, expect) => ({
    name: `Idempotency-Key ${name}`,
    method: "POST",
    path: "/v1/executions",
    body: start,
    headers: { "content-type": "application/json", "idempotency-key": value },
    expect,
  });
  const ct = (type, body = start, expect = [400, 415, 422]) => ({
    name: `start with Content-Type ${type ?? "(none)"}`,
    method: "POST",
    path: "/v1/executions",
    body: type === undefined ? Buffer.from(body) : body,
    headers: type === undefined ? {} : { "content-type": type },
    expect,
  });
  const big = (bytes) => `{"workflow_id":"rel-human","inputs":{"pad":"${"x".repeat(bytes)}"}}`;
  const oversized = (path, method = "POST") => ({
    name: `1.5 MiB body: ${method} ${path}`,
    method,
    path,
    body: big(1.5 * 1024 * 1024),
    headers: { "content-type": "application/json" },
    expect: [413],
  });
  return [
    idem("of 256 chars", "k".repeat(256), [422]),
    idem("of 10 KiB", "k".repeat(10 * 1024), [422, 431]),
    idem("with a space", "a b", [422]),
    idem("latin-1", "cl\u00e9", [422]),
    idem("empty", "", [202, 422]),
    idem("control char", "a\tb", [422]),
    ct("text/plain"),
    ct("application/x-www-form-urlencoded", "workflow_id=rel-human"),
    ct(
      "multipart/form-data; boundary=x",
      '--x\r\nContent-Disposition: form-data; name="workflow_id"\r\n\r\nrel-human\r\n--x--',
    ),
    ct(undefined),
    ct("application/json; charset=utf-16", Buffer.from(start, "utf16le")),
    ct("application/yaml", "workflow_id: rel-human"),
    ct("application/json", "", [400, 422]),
    ct("application/json", Buffer.from([0xff, 0xfe, 0xfd]), [400, 422]),
    oversized("/v1/executions"),
    oversized("/v1/workflows"),
    oversized("/v1/workflows/validate"),
    oversized("/v1/workflows/rel-human", "PUT"),
    oversized("/v1/executions/{run}/resume"),
    {
      name: "1.5 MiB body streamed without Content-Length",
      // Alone: wrangler dev's proxy answers concurrent POSTs 503 when the Worker refuses a stream early.
      solo: true,
      method: "POST",
      path: "/v1/executions",
      stream: big(1.5 * 1024 * 1024),
      headers: { "content-type": "application/json" },
      expect: [413],
    },
    {
      name: "1.5 MiB YAML workflow",
      method: "POST",
      path: "/v1/workflows",
      body: `id: big\nname: "${"y".repeat(1.5 * 1024 * 1024)}"\n`,
      headers: { "content-type": "application/yaml" },
      expect: [413],
    },
    {
      name: "64 KiB header",
      method: "GET",
      path: "/v1/workflows",
      headers: { "x-junk": "j".repeat(64 * 1024) },
      expect: [200, 400, 431],
    },
  ];
}

import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake OpenTelemetry collector on 127.0.0.1 that decodes the OTLP/HTTP JSON it receives. Routes:
 *   POST /v1/traces          an export request (application/json); answers {} like a collector
 *   GET  /__spans?trace=<id> the spans received for that trace id, decoded, with the request headers
 *   GET  /__exports          how many export requests arrived, per trace id
 * Started by vitest.config.ts (the Worker and its objects get its URL as OTEL_EXPORTER_OTLP_ENDPOINT).
 */

/** A span as a test reads it: attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  service: unknown;
  authorization?: string;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values: AnyValue[] };
};

function decode(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return v.arrayValue.values.map(decode);
  throw new Error(`unknown OTLP value ${JSON.stringify(v)}`);
}

const attrs = (list: Array<{ key: string; value: AnyValue }> = []) =>
  Object.fromEntries(list.map((a) => [a.key, decode(a.value)]));

const spans: ReceivedSpan[] = [];
const exportsPerTrace = new Map<string, number>();

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface ExportBody {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: AnyValue }> };
    scopeSpans: Array<{ spans: Array<Omit<ReceivedSpan, "attributes" | "service"> & { attributes: [] }> }>;
  }>;
}

function receive(body: ExportBody, authorization: string | undefined): void {
  const traces = new Set<string>();
  for (const rs of body.resourceSpans) {
    const service = attrs(rs.resource.attributes)["service.name"];
    for (const ss of rs.scopeSpans) {
      for (const s of ss.spans) {
        if (!/^[0-9a-f]{32}$/.test(s.traceId) || !/^[0-9a-f]{16}$/.test(s.spanId)) {
          throw new Error(`malformed ids ${s.traceId}/${s.spanId}`);
        }
        spans.push({ ...s, attributes: attrs(s.attributes), service, authorization });
        traces.add(s.traceId);
      }
    }
  }
  for (const t of traces) exportsPerTrace.set(t, (exportsPerTrace.get(t) ?? 0) + 1);
}

let started: Promise<string> | undefined;

/** Starts the collector once per test run; its base URL. */
export function startOtlpCollector(): Promise<string> {
  started ??= new Promise((resolve) => {
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method === "POST" && url.pathname === "/v1/traces") {
        read(req)
          .then((text) => {
            if (!String(req.headers["content-type"]).startsWith("application/json"))
              throw new Error("not JSON");
            receive(JSON.parse(text) as ExportBody, req.headers.authorization);
            json(200, {});
          })
          .catch((e: unknown) => json(400, { error: String(e) }));
        return;
      }
      if (url.pathname === "/__spans") {
        const trace = url.searchParams.get("trace");
        return json(200, { spans: spans.filter((s) => s.traceId === trace) });
      }
      if (url.pathname === "/__exports") return json(200, Object.fromEntries(exportsPerTrace));
      json(404, {});
    });
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
  return started;
}

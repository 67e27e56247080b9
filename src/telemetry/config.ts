/**
 * Tracing configuration from the standard OpenTelemetry variables: OTEL_EXPORTER_OTLP_ENDPOINT (traces
 * go to `<endpoint>/v1/traces`, or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is), OTEL_EXPORTER_OTLP_HEADERS
 * (`key=value,…`, values URL-encoded), OTEL_SERVICE_NAME (default `scaff`), OTEL_TRACES_SAMPLER
 * (`parentbased_always_on` by default; `always_on`, `always_off`, `parentbased_always_off`,
 * `traceidratio`, `parentbased_traceidratio` with OTEL_TRACES_SAMPLER_ARG). No endpoint: no tracing.
 */
export interface TelemetryConfig {
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  sampler: Sampler;
}

/** Whether a root span (no parent) is sampled, and whether a child follows its parent's decision. */
export interface Sampler {
  parentBased: boolean;
  /** The share of new traces sampled, 0…1. */
  ratio: number;
}

export interface TelemetryEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_SERVICE_NAME?: string;
  OTEL_TRACES_SAMPLER?: string;
  OTEL_TRACES_SAMPLER_ARG?: string;
}

/** `key=value,…` as the OTLP exporter spec defines it; malformed entries are skipped. */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      // A malformed escape: the entry is skipped rather than failing every request.
    }
  }
  return out;
}

function parseSampler(name: string | undefined, arg: string | undefined): Sampler {
  const n = Number(arg);
  const ratio =
    Number.isFinite(n) && arg !== undefined && arg.trim() !== "" ? Math.min(1, Math.max(0, n)) : 1;
  switch ((name ?? "").trim()) {
    case "always_on":
      return { parentBased: false, ratio: 1 };
    case "always_off":
      return { parentBased: false, ratio: 0 };
    case "parentbased_always_off":
      return { parentBased: true, ratio: 0 };
    case "traceidratio":
      return { parentBased: false, ratio };
    case "parentbased_traceidratio":
      return { parentBased: true, ratio };
    default:
      return { parentBased: true, ratio: 1 };
  }
}

/** The configuration, or null when no endpoint is set (nothing is traced or exported). */
export function telemetryConfig(env: TelemetryEnv): TelemetryConfig | null {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!traces && !base) return null;
  return {
    url: traces || `${(base ?? "").replace(/\/+$/, "")}/v1/traces`,
    headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || "scaff",
    sampler: parseSampler(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG),
  };
}

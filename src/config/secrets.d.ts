// Secrets are set with `wrangler secret put` (or .dev.vars locally), so `wrangler types` cannot see them.
declare namespace Cloudflare {
  interface Env {
    API_KEYS?: string;
    RESUME_TOKEN_SECRETS?: string;
    OPENAI_API_KEY?: string;
    OPENAI_BASE_URL?: string;
    ANTHROPIC_API_KEY?: string;
    // Optional vars (no default in wrangler.toml), declared here for the same reason.
    ANTHROPIC_BASE_URL?: string;
    ANTHROPIC_MODEL?: string;
    /** JSON `{"<model>": {"input": usd_per_mtok, "output": usd_per_mtok}}` over the defaults (ai/prices.ts). */
    AI_PRICES?: string;
    RESEND_API_KEY?: string;
    /** `NAME=host[,host…];NAME2=host`: where each SECRET_<NAME> may be sent (config/env.ts). */
    SECRETS_ALLOWED_HOSTS?: string;
    /** Cloudflare Access in front of /console (docs/console.md): the team domain, the app's AUD tag, the role. */
    CF_ACCESS_TEAM_DOMAIN?: string;
    CF_ACCESS_AUD?: string;
    CF_ACCESS_ROLE?: string;
    /** `workflow_id=whsec_…[,whsec_…];…`: the Standard Webhooks secrets of `POST /hooks/{id}` (triggers/). */
    WEBHOOK_SECRETS?: string;
    /** Email Service binding, when EMAIL_PROVIDER=cloudflare. */
    EMAIL?: { send(message: unknown): Promise<unknown> };
    /** OpenTelemetry over OTLP/HTTP (src/telemetry/config.ts); unset: nothing is traced or exported. */
    OTEL_EXPORTER_OTLP_ENDPOINT?: string;
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
    OTEL_EXPORTER_OTLP_HEADERS?: string;
    OTEL_SERVICE_NAME?: string;
    OTEL_TRACES_SAMPLER?: string;
    OTEL_TRACES_SAMPLER_ARG?: string;
    /** How many index writer objects share the index writes (src/durable/index-writer.ts); default 1. */
    INDEX_WRITERS?: string;
    [secret: `SECRET_${string}`]: string | undefined;
  }
}

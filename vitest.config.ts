import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { startOtlpCollector } from "./test/fakes/otlp-collector.js";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          API_KEYS:
            "tester:test-key-123,other:other-key-456,ops:operator-key-789:operator,viewer:reader-key-000:reader",
          RESUME_TOKEN_SECRETS: "k2:test-secret-two-0123456789abcdef,k1:test-secret-one-0123456789abcdef",
          PUBLIC_BASE_URL: "https://scaff.test",
          AI_PROVIDER: "mock",
          DEV_MODE: "true",
          // Debug, so tests that look for secrets in logs see every line the app writes.
          LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "debug",
          SECRET_TEST_TOKEN: "s3cr3t-value-never-logged",
          // The fake servers listen on 127.0.0.1 at ports chosen at start: any port.
          SECRETS_ALLOWED_HOSTS: "TEST_TOKEN=127.0.0.1",
          // Traces go to the fake collector, but only of requests that send a sampled `traceparent`
          // (test/telemetry/): every other test's work is not sampled, so nothing of it is exported.
          OTEL_EXPORTER_OTLP_ENDPOINT: await startOtlpCollector(),
          OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20otel-test-token",
          OTEL_TRACES_SAMPLER: "parentbased_always_off",
        },
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    setupFiles: ["./test/setup.ts"],
    globalSetup: ["./test/global-setup.ts"],
    // The app's JSON log lines are for tests to inspect, not for the test report.
    onConsoleLog: (log) => (log.startsWith('{"level"') ? false : undefined),
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

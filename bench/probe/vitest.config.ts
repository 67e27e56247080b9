// `npx vitest run --config bench/probe/vitest.config.ts`: the D1 call-count probe (see d1-calls.test.ts).
// Its own config so `npm test` never runs it; the bench's Worker (Scaff plus the floor routes), the same
// migrations and setup as the test suite.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { writeBenchConfig } from "../lib/config.mjs";

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      main: "./bench/floor/worker.ts",
      wrangler: { configPath: `./${writeBenchConfig()}` },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          API_KEYS: "tester:test-key-123",
          RESUME_TOKEN_SECRETS: "k1:test-secret-one-0123456789abcdef",
          LOG_LEVEL: "error",
          AI_PROVIDER: "mock",
          PUBLIC_BASE_URL: "https://scaff.test",
        },
      },
    })),
  ],
  test: { include: ["bench/probe/**/*.test.ts"], setupFiles: ["./test/setup.ts"], testTimeout: 60_000 },
});

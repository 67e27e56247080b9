#!/usr/bin/env node
// `npm run generate`: rewrites the committed artefacts that are derived from the code, so that they
// can be reviewed in diffs and used without a running server:
//   schemas/workflow.schema.json  JSON Schema of the workflow format, from the zod model
//   schemas/openapi.json          the OpenAPI document the app serves at /openapi.json
//   client/openapi.d.ts           the typed client's types, from schemas/openapi.json (openapi-typescript)
// Tests fail when any of them is stale (test/tooling/), naming this command.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { importTs, ROOT } from "../cli/lib/load-ts.mjs";

const ENTRY = `
export { workflowJsonSchema } from "./src/definitions/json-schema";
export { createApp } from "./src/app";
`;

function writeJson(relative, value) {
  writeFileSync(join(ROOT, relative), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`generate: ${relative}`);
}

function run(label, command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status ?? result.signal})`);
}

async function main() {
  const { workflowJsonSchema, createApp } = await importTs(ENTRY, "generate");
  writeJson("schemas/workflow.schema.json", workflowJsonSchema());
  // The document does not depend on bindings; LOG_LEVEL keeps the request log line quiet.
  const res = await createApp().request("/openapi.json", {}, { LOG_LEVEL: "error" });
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}: ${await res.text()}`);
  writeJson("schemas/openapi.json", await res.json());
  run("client types", process.execPath, [
    "--import",
    "./scripts/lib/typescript5-hook.mjs",
    "./scripts/lib/client-types.mjs",
  ]);
  run("biome format", join(ROOT, "node_modules", ".bin", "biome"), [
    "format",
    "--write",
    "schemas/workflow.schema.json",
    "schemas/openapi.json",
    "client/openapi.d.ts",
  ]);
}

main().catch((err) => {
  console.error(`generate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

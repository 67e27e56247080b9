#!/usr/bin/env node
// Copies Swagger UI from the pinned swagger-ui-dist package (package.json devDependencies) into
// assets/docs/vendor/, which Workers static assets serve at /docs/vendor/… (docs/api.md). Runs on
// `npm install` and `npm ci` (postinstall); the copy is git-ignored, so the version lives in one place.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET = join(ROOT, "assets", "docs", "vendor");
const PACKAGE = "swagger-ui-dist";
/** What the /docs page loads, and the licence that must travel with it. */
const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

function fail(message) {
  console.error(`[copy-docs-assets] ${message}`);
  process.exit(1);
}

const pinned = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies?.[PACKAGE];
if (!/^\d+\.\d+\.\d+$/.test(pinned ?? "")) {
  fail(`package.json must pin ${PACKAGE} to an exact version in devDependencies (found ${pinned ?? "none"})`);
}

let source;
try {
  source = dirname(createRequire(join(ROOT, "package.json")).resolve(`${PACKAGE}/package.json`));
} catch {
  fail(`${PACKAGE} is not installed: run \`npm install\` (or \`npm ci\`), which installs devDependencies`);
}
const installed = JSON.parse(readFileSync(join(source, "package.json"), "utf8")).version;
if (installed !== pinned) {
  fail(`${PACKAGE} ${installed} is installed but package.json pins ${pinned}: run \`npm install\``);
}

rmSync(TARGET, { recursive: true, force: true });
mkdirSync(TARGET, { recursive: true });
for (const file of FILES) {
  try {
    copyFileSync(join(source, file), join(TARGET, file));
  } catch (e) {
    fail(`cannot copy ${file} from ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
console.log(`[copy-docs-assets] Swagger UI ${installed} → assets/docs/vendor/`);

// Loads the project's TypeScript modules (src/) from plain Node without a build step. Node 20 cannot
// run TypeScript itself (type stripping arrived in Node 22.6), so the module is bundled with the
// esbuild that wrangler installs, into .wrangler/tools/ (ignored by git and Biome, like wrangler's own
// state), and imported from there: npm packages stay external and resolve from the project's
// node_modules, and the file is named by the hash of its content, so a changed source builds a new
// file and an unchanged one is reused.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const ROOT = resolve(import.meta.dirname, "..", "..");
const CACHE = join(ROOT, ".wrangler", "tools");

// Worker-only modules have no Node form; nothing the tools load uses them at import time.
const CLOUDFLARE_STUB =
  "export class DurableObject {} export class WorkerEntrypoint {} export const env = {};";

const cloudflareStub = {
  name: "cloudflare-stub",
  setup(build) {
    build.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "cf-stub" }));
    build.onLoad({ filter: /.*/, namespace: "cf-stub" }, () => ({ contents: CLOUDFLARE_STUB, loader: "js" }));
  },
};

async function esbuild() {
  try {
    return await import("esbuild");
  } catch {
    throw new Error("esbuild is not installed: run `npm install` in the Scaff project first");
  }
}

/** Bundles `source` (TypeScript, resolved from the project root) and imports the result. */
export async function importTs(source, name) {
  const { build } = await esbuild();
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "ts", sourcefile: `${name}.ts` },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    plugins: [cloudflareStub],
  });
  const code = result.outputFiles[0].text;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const file = join(CACHE, `${name}-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    // Earlier builds of the same module are never read again.
    for (const old of readdirSync(CACHE))
      if (old.startsWith(`${name}-`)) rmSync(join(CACHE, old), { force: true });
    writeFileSync(file, code);
  }
  return import(pathToFileURL(file).href);
}

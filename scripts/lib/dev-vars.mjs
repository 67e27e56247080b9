// Reading .dev.vars (dotenv syntax) the way wrangler does for the values the start script needs.
import { copyFileSync, existsSync, readFileSync } from "node:fs";

/** Copies the example to .dev.vars when it is missing; true when it did. */
export function ensureDevVars(path, examplePath) {
  if (existsSync(path)) return false;
  if (!existsSync(examplePath)) throw new Error(`${examplePath} is missing: cannot create ${path}`);
  copyFileSync(examplePath, path);
  return true;
}

/** Parses KEY=VALUE lines; blank lines and # comments are skipped, surrounding quotes removed. */
export function readDevVars(path) {
  const vars = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    value = quoted ? quoted[2] : value.replace(/\s+#.*$/, "");
    vars[match[1]] = value;
  }
  return vars;
}

/** The key of the first `name:key` pair of API_KEYS, or undefined when none is configured. */
export function firstApiKey(apiKeys) {
  const first = (apiKeys ?? "").split(",")[0] ?? "";
  const idx = first.indexOf(":");
  const key = idx > 0 ? first.slice(idx + 1).trim() : "";
  return key === "" ? undefined : key;
}

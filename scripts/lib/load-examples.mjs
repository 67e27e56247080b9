// Loads examples/*.yaml into a running server idempotently: create when new, add a version only
// when the file differs from the stored source, leave it alone otherwise.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const YAML_ID = /^id:\s*["']?([a-z0-9][a-z0-9_-]{0,63})["']?\s*(?:#.*)?$/m;

async function call(baseUrl, apiKey, method, path, body) {
  const headers = { authorization: `Bearer ${apiKey}` };
  if (body !== undefined) headers["content-type"] = "application/yaml";
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

function problem(res) {
  const error = res.json?.error;
  if (!error) return `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
  const details = (error.details ?? [])
    .map((d) => `\n      ${d.path || "(root)"}${d.line ? ` (line ${d.line})` : ""}: ${d.message}`)
    .join("");
  return `${error.code}: ${error.message}${details}`;
}

/** Loads one YAML file; returns what happened: created | updated | unchanged | failed (with why). */
export async function loadExample(baseUrl, apiKey, file) {
  const source = readFileSync(file, "utf8");
  const created = await call(baseUrl, apiKey, "POST", "/v1/workflows", source);
  if (created.status === 201) return { file, id: created.json?.id, result: "created" };
  if (created.status !== 409) return { file, result: "failed", why: problem(created) };
  const id = YAML_ID.exec(source)?.[1];
  if (!id)
    return { file, result: "failed", why: "exists, but no top-level `id:` line was found in the file" };
  const stored = await call(baseUrl, apiKey, "GET", `/v1/workflows/${id}`);
  if (stored.status !== 200) return { file, id, result: "failed", why: problem(stored) };
  if (stored.json?.source === source) return { file, id, result: "unchanged" };
  const updated = await call(baseUrl, apiKey, "PUT", `/v1/workflows/${id}`, source);
  if (updated.status !== 201) return { file, id, result: "failed", why: problem(updated) };
  return { file, id, result: `updated to version ${updated.json?.version}` };
}

/** Loads every *.yaml/*.yml file of `dir` in name order. */
export async function loadExamples(baseUrl, apiKey, dir) {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const results = [];
  for (const f of files) results.push(await loadExample(baseUrl, apiKey, join(dir, f)));
  return results;
}

// `scaff push <file…>`: creates each workflow, or saves a new version when the stored source
// differs from the file; an unchanged file changes nothing, so pushing twice is safe.
import { parse } from "yaml";
import { ApiError, call, connect } from "./api.mjs";
import { Failure, UsageError } from "./errors.mjs";
import { detailLines, emit } from "./output.mjs";
import { formatOf, readSource } from "./validate.mjs";

const CONTENT_TYPE = { yaml: "application/yaml", json: "application/json" };

function send(conn, method, path, source, format, id) {
  const options = {
    body: source,
    // The file is sent as written, so the stored source (and its line numbers) is the file itself.
    bodySerializer: (text) => text,
    headers: { "content-type": CONTENT_TYPE[format] },
    ...(id ? { params: { path: { id } } } : {}),
  };
  return call(conn, conn.client[method](path, options));
}

function idOf(source, format) {
  try {
    const value = format === "json" ? JSON.parse(source) : parse(source);
    return typeof value?.id === "string" ? value.id : undefined;
  } catch {
    return undefined;
  }
}

async function pushOne(conn, file) {
  const source = await readSource(file);
  const format = formatOf(file);
  try {
    const created = await send(conn, "POST", "/v1/workflows", source, format);
    return { file, id: created.id, result: "created", version: created.version };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 409) throw err;
  }
  const id = idOf(source, format);
  if (!id) throw new Failure("the server has this workflow, but the file has no top-level id");
  const stored = await call(conn, conn.client.GET("/v1/workflows/{id}", { params: { path: { id } } }));
  if (stored.source === source) return { file, id, result: "unchanged", version: stored.version };
  const updated = await send(conn, "PUT", "/v1/workflows/{id}", source, format, id);
  return { file, id, result: "updated", version: updated.version };
}

const describe = (r) =>
  r.error
    ? [`${r.file}: ${r.error}`, ...detailLines(r.details ?? [], r.file)]
    : [`${r.file}: ${r.result} ${r.id} (version ${r.version})`];

/** Pushes every file, reporting each; invalid files fail the command after the others are pushed. */
export async function pushCommand(files, { json }) {
  if (files.length === 0)
    throw new UsageError("push needs at least one file", { hint: "scaff push examples/*.yaml" });
  const conn = connect();
  const results = [];
  for (const file of files) {
    try {
      results.push(await pushOne(conn, file));
    } catch (err) {
      if (!(err instanceof Failure)) throw err;
      results.push({ file, result: "failed", error: err.message, details: err.details });
    }
  }
  emit(json, { files: results }, () => results.flatMap(describe));
  const failed = results.filter((r) => r.result === "failed").length;
  if (failed > 0) throw new Failure(`${failed} of ${results.length} files not pushed`, { quiet: true });
}

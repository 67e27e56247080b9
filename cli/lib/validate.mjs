// `scaff validate <file…>`: offline, with the same parser and checks the server runs when a
// workflow is saved (src/definitions), so a file that passes here is accepted there.
import { readFile } from "node:fs/promises";
import { Failure, UsageError } from "./errors.mjs";
import { importTs } from "./load-ts.mjs";
import { detailLines, emit } from "./output.mjs";

let parser;

/** The project's definition parser (TypeScript, bundled on first use). */
export function loadParser() {
  parser ??= importTs('export { parseDefinitionSource } from "./src/definitions/parse";', "validator");
  return parser;
}

/** YAML unless the file name says JSON, as the API decides by Content-Type. */
export const formatOf = (file) => (/\.json$/i.test(file) ? "json" : "yaml");

/** Reads a workflow file; a missing or unreadable file is a usage error (exit 2). */
export async function readSource(file) {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err.code === "ENOENT" ? "no such file" : err.message}`);
  }
}

/** Validates each file and prints its problems as `file:line:col path message`. */
export async function validateCommand(files, { json }) {
  if (files.length === 0)
    throw new UsageError("validate needs at least one file", { hint: "scaff validate examples/*.yaml" });
  const { parseDefinitionSource } = await loadParser();
  const results = [];
  for (const file of files) {
    const result = parseDefinitionSource(await readSource(file), formatOf(file));
    results.push(
      result.ok
        ? { file, valid: true, id: result.definition.id, step_count: result.definition.steps.length }
        : { file, valid: false, issues: result.issues },
    );
  }
  const invalid = results.filter((r) => !r.valid);
  emit(json, { valid: invalid.length === 0, files: results }, () => [
    ...results.flatMap((r) =>
      r.valid
        ? [`${r.file}: ok (${r.id}, ${r.step_count} step${r.step_count === 1 ? "" : "s"})`]
        : detailLines(r.issues, r.file),
    ),
    ...(invalid.length > 0 ? [`${invalid.length} of ${results.length} files invalid`] : []),
  ]);
  if (invalid.length > 0) throw new Failure(`${invalid.length} invalid`, { quiet: true });
}

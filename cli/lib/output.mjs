// Printing: a human form on stdout, or with --json one JSON document (or one per line when
// following a run), so scripts never have to parse the human form.

/** Prints `value` as JSON when `json`, otherwise the lines `human()` returns. */
export function emit(json, value, human) {
  if (json) console.log(JSON.stringify(value, null, 2));
  else for (const line of [human()].flat()) console.log(line);
}

/** One JSON value on one line (NDJSON), for streams of events. */
export function emitLine(value) {
  console.log(JSON.stringify(value));
}

/** Prints an API error's details like a compiler, prefixed with `where` (a file name) when given. */
export function detailLines(details, where = "") {
  return details.map((d) => `${locate(where, d)}${d.path ? `${d.path} ` : ""}${d.message}`);
}

/** `file:line:col ` (or `file `, or nothing) for an issue. */
export function locate(where, issue) {
  if (!where) return issue.line ? `line ${issue.line}:${issue.column} ` : "";
  return issue.line ? `${where}:${issue.line}:${issue.column ?? 1} ` : `${where} `;
}

/** A short one-line view of an event's data. */
export function summarize(data, max = 120) {
  if (data === undefined || data === null) return "";
  const text = JSON.stringify(data);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

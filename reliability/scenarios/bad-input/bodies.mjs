// Hostile JSON bodies for starting and resuming runs: broken JSON, wrong types, deep nesting, huge
// strings, unicode edge cases (RTL overrides, NUL, emoji, lone surrogates) and prototype keys. Bodies
// that are accepted must read back unchanged.

const deepArray = (n) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const start = (fields) => `{"workflow_id":"rel-human"${fields ? `,${fields}` : ""}}`;

const UNICODE = {
  rtl: "abc\u202edcba\u202c",
  nul: "nul\u0000byte",
  emoji: "👩‍👩‍👧‍👦🏳️‍🌈",
  zeroWidth: "\u200b\u200d\ufeff",
  combining: "e\u0301\u0301\u0301\u0301",
  controls: "\u0001\u0007\u001b[31m\u007f",
};
const LONE = ['"\\ud800"', '"\\udfff"', '"x\\ud83dy"']; // written as JSON escapes: no valid UTF-16 pair

/** Start bodies: malformed JSON, wrong types, limits, nesting, unicode. */
export function startCases() {
  const bad = (name, body, expect = [400, 422]) => ({
    name: `start: ${name}`,
    method: "POST",
    path: "/v1/executions",
    body,
    headers: { "content-type": "application/json" },
    expect,
  });
  const out = [
    bad("truncated JSON", '{"workflow_id": "rel-human"'),
    bad("missing value", '{"workflow_id": }'),
    bad("trailing comma", '{"workflow_id": "rel-human",}'),
    bad("single quotes", "{'workflow_id': 'rel-human'}"),
    bad("NaN", '{"workflow_id": "rel-human", "version": NaN}'),
    bad("comment", '{"workflow_id": "rel-human" /* x */}'),
    bad("null", "null"),
    bad("array", "[]"),
    bad("number", "1"),
    bad("string", '"rel-human"'),
    bad("true", "true"),
    bad("BOM then JSON", `\ufeff${start()}`, [202, 400, 422]),
    bad("two documents", `${start()}${start()}`),
    bad("workflow_id number", '{"workflow_id": 1}'),
    bad("workflow_id null", '{"workflow_id": null}'),
    bad("workflow_id empty", '{"workflow_id": ""}'),
    bad("workflow_id upper", '{"workflow_id": "REL-HUMAN"}'),
    bad("workflow_id traversal", '{"workflow_id": "../rel-human"}'),
    bad("workflow_id 65 chars", `{"workflow_id": "${"a".repeat(65)}"}`),
    bad("workflow_id NUL", '{"workflow_id": "rel-human\\u0000"}'),
    bad("workflow_id RTL", '{"workflow_id": "rel\\u202e-human"}'),
    bad("workflow_id lone surrogate", '{"workflow_id": "rel-human\\ud800"}'),
    bad("workflow_id object", '{"workflow_id": {"$ne": null}}'),
    bad("unknown workflow", '{"workflow_id": "no-such-flow"}', [404]),
    bad("version string", start('"version": "1"')),
    bad("version 0", start('"version": 0')),
    bad("version -1", start('"version": -1')),
    bad("version 1.5", start('"version": 1.5')),
    bad("version 1e308", start('"version": 1e308'), [404, 422]),
    bad("version 2^53+1", start('"version": 9007199254740993'), [404, 422]),
    bad("version 999", start('"version": 999'), [404]),
    bad("inputs string", start('"inputs": "x"')),
    bad("inputs array", start('"inputs": [1]')),
    bad("inputs null", start('"inputs": null')),
    bad("profile array", start('"profile": []')),
    bad("unknown key", start('"extra": 1')),
    bad("__proto__ key at the top", start('"__proto__": {"polluted": true}')),
    bad("constructor key at the top", start('"constructor": {"prototype": {"polluted": true}}')),
    bad("deep array inputs (100k)", start(`"inputs": {"deep": ${deepArray(100_000)}}`), [202, 400, 413, 422]),
    bad("deep object inputs (50k)", start(`"inputs": {"deep": ${deepObject(50_000)}}`), [202, 400, 413, 422]),
    bad("deep array profile (10k)", start(`"profile": {"deep": ${deepArray(10_000)}}`), [202, 400, 413, 422]),
    bad("deep body itself (200k)", deepArray(200_000)),
    bad("1e400 in inputs", start('"inputs": {"n": 1e400}'), [202, 422]),
    bad("-0 and huge ints", start('"inputs": {"a": -0, "b": 123456789012345678901234567890}'), [202, 422]),
  ];
  return out;
}

/** Accepted starts with hostile-but-legal inputs: the run's context must read back exactly as sent. */
export function roundTripCases() {
  const out = [];
  const values = {
    ...UNICODE,
    long: "L".repeat(200_000),
    mustache: "{{#lambda}}x{{/lambda}} {{constructor.constructor}} {{{runtime}}} {{> partial}} {{=<% %>=}}",
    cel: "runtime.__proto__ || [1,2,3].map(x, [1,2,3].map(y, x))",
    html: "<script>alert(1)</script><img src=x onerror=alert(1)>",
    sql: "'); DROP TABLE runs; --",
  };
  for (const [name, value] of Object.entries(values)) {
    out.push({ name: `inputs ${name}`, inputs: { v: value, [value.slice(0, 50)]: 1 } });
  }
  // Refused on purpose (422 naming the key): such text cannot be stored intact.
  for (const lone of LONE)
    out.push({ name: `inputs lone surrogate ${lone}`, raw: `{"v": ${lone}, ${lone}: 1}`, refused: true });
  out.push({
    name: "inputs __proto__ key",
    raw: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"p": 1}}}',
    refused: true,
  });
  out.push({
    name: "inputs 20k keys",
    inputs: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])),
  });
  out.push({ name: "inputs 900 KiB string", inputs: { v: "z".repeat(900 * 1024) } });
  return out;
}

/** Resume bodies against a run waiting at its form (the token stays valid: nothing here may use it up). */
export function resumeDataCases(tokenOf) {
  const bad = (name, body, expect = [400, 422]) => ({
    name: `resume: ${name}`,
    method: "POST",
    path: "/v1/executions/{run}/resume",
    body,
    headers: { "content-type": "application/json" },
    expect,
  });
  const withToken = (data) => () => `{"token": ${JSON.stringify(tokenOf())}, "data": ${data}}`;
  return [
    bad("no token", '{"data": {}}'),
    bad("token number", '{"token": 1, "data": {}}'),
    bad("token empty", '{"token": "", "data": {}}'),
    bad("token 5000 chars", `{"token": "${"t".repeat(5000)}", "data": {}}`),
    bad("token null", '{"token": null}'),
    bad("unknown key", () => withToken("{}")().replace("{", '{"x": 1, ')),
    bad("data string", withToken('"x"')),
    bad("data array", withToken("[]")),
    bad("data null", withToken("null")),
    bad("data empty (required fields)", withToken("{}")),
    bad("score as string", withToken('{"note": "n", "score": "80"}')),
    bad("score 1e400", withToken('{"note": "n", "score": 1e400}')),
    bad("score 1.5", withToken('{"note": "n", "score": 1.5}')),
    bad("score -1", withToken('{"note": "n", "score": -1}')),
    bad("note too long", withToken(`{"note": "${"n".repeat(201)}", "score": 1}`)),
    bad("note object", withToken('{"note": {"toString": 1}, "score": 1}')),
    bad(
      "deep data (50k)",
      withToken(`{"note": "n", "score": 1, "deep": ${deepArray(50_000)}}`),
      [400, 413, 422],
    ),
    bad("__proto__ in data", withToken('{"__proto__": {"score": 1}, "note": "n"}')),
    bad("decision on a form", withToken('{"decision": "approved"}')),
  ];
}

export { UNICODE };

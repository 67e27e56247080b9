/** JSON Pointers (RFC 6901): the one place they are split, escaped, decoded from URI fragments and shown. */

/** One step of a path: an object key or an array index. */
export type PathSegment = string | number;

/** Array indexes as a pointer writes them (no leading zeros); longer runs of digits stay keys. */
const INDEX_TOKEN = /^(0|[1-9]\d{0,8})$/;

/** Escapes a key for use as one token: `a/b` → `a~1b`, `a~b` → `a~0b`. */
export function escapeToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The keys a pointer names, unescaped: `/a~1b/0` → `["a/b", "0"]`; the root `""` → `[]`. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer.split("/").slice(1).map(unescapeToken);
}

/** Like pointerTokens, with index-like tokens as numbers: `/tags/0` → `["tags", 0]`. */
export function pointerSegments(pointer: string): PathSegment[] {
  return pointerTokens(pointer).map((t) => (INDEX_TOKEN.test(t) ? Number(t) : t));
}

/**
 * The pointer in a URI fragment (`#/a%20b/0` → `/a b/0`), as `$ref`s and the validator's locations
 * write it: each token percent-decoded (a token that is not valid percent-encoding is kept as written).
 */
export function fragmentPointer(fragment: string): string {
  const raw = fragment.startsWith("#") ? fragment.slice(1) : fragment;
  return raw.split("/").map(percentDecoded).join("/");
}

function percentDecoded(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** The field path users see: `/tags/0/name` → `tags[0].name`; after `prefix` when given (`inputs.tags[0]`). */
export function fieldPath(pointer: string, prefix = ""): string {
  let out = prefix;
  for (const segment of pointerSegments(pointer)) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

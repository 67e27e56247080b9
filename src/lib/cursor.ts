import { AppError } from "./errors";

/** Opaque pagination cursors: base64url JSON of the last item's sort key. */
export function encodeCursor(key: Record<string, string | number>): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes a cursor made by encodeCursor; anything else is a 400 naming the `cursor` parameter. */
export function decodeCursor<K extends Record<string, string | number>>(
  cursor: string,
  shape: { [P in keyof K]: "string" | "number" },
): K {
  const invalid = () =>
    new AppError("bad_request", "Invalid cursor", [
      { path: "cursor", message: "not a cursor this API returned" },
    ]);
  let parsed: unknown;
  try {
    const b64 = cursor.replaceAll("-", "+").replaceAll("_", "/");
    const bin = atob(b64);
    parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== "object" || parsed === null) throw invalid();
  const record = parsed as Record<string, unknown>;
  for (const [key, type] of Object.entries(shape)) {
    if (typeof record[key] !== type) throw invalid();
  }
  return record as K;
}

/** Where a newest-first list stands: the (created_at, id) of the previous page's last item. */
export interface TimePosition {
  t: number;
  id: string;
}

/** The position a newest-first list's cursor names, or undefined for the first page (400 if invalid). */
export function decodeTimeCursor(cursor: string | undefined): TimePosition | undefined {
  return cursor === undefined
    ? undefined
    : decodeCursor<{ t: number; id: string }>(cursor, { t: "number", id: "string" });
}

/**
 * A page of a newest-first list read with `limit + 1` rows: the first `limit`, and the cursor of the
 * next page (null when the extra row was not there).
 */
export function timePage<T>(rows: T[], limit: number, position: (row: T) => TimePosition) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next_cursor = rows.length > limit && last ? encodeCursor({ ...position(last) }) : null;
  return { page, next_cursor };
}

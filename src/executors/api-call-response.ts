/** Reading an api_call response: a size cap that never buffers more than it keeps, and body parsing. */

/** Responses larger than this are not kept: a run's context lives in D1 rows. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface CappedBody {
  text: string;
  /** True when the body was larger than the cap; `text` is then empty. */
  tooLarge: boolean;
}

/** Reads at most `cap` bytes of the body as UTF-8; stops (and cancels the stream) as soon as it is over. */
export async function readCappedBody(response: Response, cap = MAX_RESPONSE_BYTES): Promise<CappedBody> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel();
    return { text: "", tooLarge: true };
  }
  if (response.body === null) return { text: "", tooLarge: false };

  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      return { text: "", tooLarge: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(bytes), tooLarge: false };
}

/** True for `application/json` and structured `+json` types (`application/problem+json`, ...). */
export function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const mime = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return mime === "application/json" || mime.endsWith("+json");
}

/**
 * The body a workflow sees: parsed JSON when the response says it is JSON and parses, otherwise
 * the text; an empty body is `null` either way (a 204 has nothing to parse).
 */
export function parseResponseBody(text: string, contentType: string | null): unknown {
  if (text === "") return null;
  if (!isJsonContentType(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A server that mislabels its body should not fail the step: keep what it sent.
    return text;
  }
}

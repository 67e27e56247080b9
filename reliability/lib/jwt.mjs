// Hand-made JWTs for the hostile-token cases: any header, any payload, HS256/HS512 with any secret, or
// no signature at all. Nothing here trusts or verifies; it only builds strings.
import { createHmac } from "node:crypto";

export const b64url = (data) =>
  Buffer.from(typeof data === "string" ? data : JSON.stringify(data)).toString("base64url");

/** `header.payload.signature` with HMAC (`alg` picks SHA-256/512), or an empty signature for `alg: none`. */
export function craft(header, payload, secret, hash = "sha256") {
  const signing = `${b64url(header)}.${b64url(payload)}`;
  if (secret === undefined) return `${signing}.`;
  return `${signing}.${createHmac(hash, secret).update(signing).digest("base64url")}`;
}

/** Splits a token and decodes its JSON parts (for building variants of a real one). */
export function decode(token) {
  const [h, p, s] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString()),
    payload: JSON.parse(Buffer.from(p, "base64url").toString()),
    parts: [h, p, s],
  };
}

/** Changes one character of the signature, keeping it valid base64url. */
export function flipSignature(token) {
  const [h, p, s] = token.split(".");
  const c = s[5] === "A" ? "B" : "A";
  return `${h}.${p}.${s.slice(0, 5)}${c}${s.slice(6)}`;
}

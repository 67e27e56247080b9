import { parseTokenSecrets } from "../tokens";

// The console signs its cookies with keys derived from RESUME_TOKEN_SECRETS (one per kid, so rotating
// those secrets rotates these too), never with the secrets themselves: a session cookie can never be
// replayed as a resume token, nor the other way round.

const PURPOSE = new TextEncoder().encode("scaff console session v1");

/** The console's keys: the first signs, every one verifies. */
export interface SessionKeys {
  signingKid: string;
  keys: ReadonlyMap<string, Uint8Array>;
}

async function derive(secret: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, PURPOSE));
}

// Derived once per isolate and RESUME_TOKEN_SECRETS value.
let cached: { value: string; keys: Promise<SessionKeys> } | undefined;

async function deriveAll(value: string | undefined): Promise<SessionKeys> {
  const ring = parseTokenSecrets(value);
  const keys = new Map<string, Uint8Array>();
  for (const [kid, secret] of ring.keys) keys.set(kid, await derive(secret));
  return { signingKid: ring.signingKid, keys };
}

/** The console's keys from RESUME_TOKEN_SECRETS (a misconfiguration throws, naming the variable). */
export function sessionKeys(env: Env): Promise<SessionKeys> {
  const value = env.RESUME_TOKEN_SECRETS ?? "";
  if (cached?.value !== value) {
    const keys = deriveAll(env.RESUME_TOKEN_SECRETS);
    // A misconfiguration is not cached: the next request reads the variable again.
    keys.catch(() => {
      if (cached?.keys === keys) cached = undefined;
    });
    cached = { value, keys };
  }
  return cached.keys;
}

/** base64url HMAC-SHA256 of `message` under `key`. */
export async function hmac(key: Uint8Array, message: string): Promise<string> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(message)));
  let bin = "";
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

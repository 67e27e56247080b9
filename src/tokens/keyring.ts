import { AppError } from "../lib/errors";

/**
 * RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). We keep that
 * floor in development too, so a dev secret never silently becomes a production one.
 */
export const MIN_SECRET_BYTES = 32;

const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The keys resume tokens are signed and verified with: the first pair of RESUME_TOKEN_SECRETS signs. */
export interface TokenKeyring {
  readonly signingKid: string;
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

const misconfigured = (why: string): AppError =>
  new AppError(
    "misconfigured",
    `RESUME_TOKEN_SECRETS is ${why}; expected comma-separated kid:secret pairs, e.g. "k2:<32+ byte secret>,k1:<older secret>"`,
  );

// Parsed once per isolate and value: every signed or verified link needs the keyring, and its keys'
// identities let resume-token.ts import each HMAC key once.
const parsed = new Map<string, TokenKeyring>();

/** Parses RESUME_TOKEN_SECRETS (`kid:secret,kid:secret`); throws AppError("misconfigured") naming the problem, never the secret. */
export function parseTokenSecrets(value: string | undefined): TokenKeyring {
  const hit = value === undefined ? undefined : parsed.get(value);
  if (hit) return hit;
  const keyring = parseKeyring(value);
  if (parsed.size >= 8) parsed.clear();
  parsed.set(value as string, keyring);
  return keyring;
}

function parseKeyring(value: string | undefined): TokenKeyring {
  if (value === undefined || value.trim() === "") throw misconfigured("missing or empty");
  const encoder = new TextEncoder();
  const keys = new Map<string, Uint8Array>();
  let signingKid: string | undefined;
  for (const [index, rawPair] of value.split(",").entries()) {
    const pair = rawPair.trim();
    const colon = pair.indexOf(":");
    if (colon < 0) throw misconfigured(`malformed at entry ${index + 1} (no ":" between kid and secret)`);
    const kid = pair.slice(0, colon).trim();
    // Only the first colon separates: a secret may itself contain ":".
    const secret = pair.slice(colon + 1).trim();
    if (!KID_PATTERN.test(kid)) {
      throw misconfigured(`malformed at entry ${index + 1} (kid must match ${KID_PATTERN.source})`);
    }
    if (keys.has(kid)) throw misconfigured(`malformed: kid "${kid}" appears twice`);
    const bytes = encoder.encode(secret);
    if (bytes.byteLength < MIN_SECRET_BYTES) {
      throw misconfigured(`too weak: the secret of kid "${kid}" is shorter than ${MIN_SECRET_BYTES} bytes`);
    }
    keys.set(kid, bytes);
    signingKid ??= kid;
  }
  if (signingKid === undefined) throw misconfigured("missing or empty");
  return { signingKid, keys };
}

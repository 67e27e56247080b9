import { errors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { AppError } from "../lib/errors";
import type { TokenKeyring } from "./keyring";

export const RESUME_TOKEN_AUDIENCE = "scaff-resume";
export const RESUME_TOKEN_ISSUER = "scaff";
/** Longer strings are refused before any parsing: real tokens are a few hundred bytes. */
export const MAX_TOKEN_LENGTH = 4096;

const ALGORITHM = "HS256";

/** What a resume token proves: who may resume which wait of which run, until when. */
export interface ResumeClaims {
  runId: string;
  stepId: string;
  waitId: string;
  jti: string;
  /** The recipient the link was mailed to: the approver's identity for approvals. */
  recipient?: string;
  /** Milliseconds since the epoch, truncated to whole seconds (JWT `exp` has second precision). */
  expiresAt: number;
}

/** What is signed: the same claims (`expiresAt` is truncated to whole seconds so the token never outlives it). */
export type SignResumeClaims = ResumeClaims;

// One imported HMAC key per secret and isolate (jose would import raw bytes again on every call).
const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = imported.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    imported.set(secret, key);
  }
  return key;
}

const unauthorized = (): AppError => new AppError("unauthorized", "This link is not valid");

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/** Signs a resume token with the keyring's first key (header `kid` names it). */
export async function signResumeToken(
  keyring: TokenKeyring,
  claims: SignResumeClaims,
  now: number = Date.now(),
): Promise<string> {
  const key = keyring.keys.get(keyring.signingKid);
  if (!key) throw new AppError("misconfigured", "RESUME_TOKEN_SECRETS has no signing key");
  if (!Number.isFinite(claims.expiresAt) || !Number.isFinite(now)) {
    throw new AppError("internal", "Resume token times must be finite numbers");
  }
  for (const [name, value] of [
    ["runId", claims.runId],
    ["stepId", claims.stepId],
    ["waitId", claims.waitId],
    ["jti", claims.jti],
  ] as const) {
    if (!nonEmpty(value))
      throw new AppError("internal", `Resume token claim ${name} must be a non-empty string`);
  }
  const payload: JWTPayload = { step_id: claims.stepId, wait_id: claims.waitId };
  if (claims.recipient !== undefined) payload.rcpt = claims.recipient;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: ALGORITHM, kid: keyring.signingKid, typ: "JWT" })
    .setSubject(claims.runId)
    .setJti(claims.jti)
    .setAudience(RESUME_TOKEN_AUDIENCE)
    .setIssuer(RESUME_TOKEN_ISSUER)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt / 1000))
    .sign(await hmacKey(key));
}

/**
 * Verifies a resume token: HS256 only, known `kid`, audience and issuer, then expiry.
 * Throws AppError "unauthorized" for anything forged or malformed and "gone" for a genuine expired link.
 */
export async function verifyResumeToken(
  keyring: TokenKeyring,
  token: string,
  now: number = Date.now(),
): Promise<ResumeClaims> {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
    throw unauthorized();
  let payload: JWTPayload;
  try {
    // jose checks the signature before any claim, so an expired token only reads as expired once it is
    // proven genuine: a tampered expired token stays 401, never 410.
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? undefined : keyring.keys.get(header.kid);
        if (!key) throw unauthorized();
        return hmacKey(key);
      },
      {
        algorithms: [ALGORITHM],
        audience: RESUME_TOKEN_AUDIENCE,
        issuer: RESUME_TOKEN_ISSUER,
        requiredClaims: ["sub", "jti", "exp", "iat"],
        currentDate: new Date(now),
      },
    ));
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new AppError("gone", "This link has expired");
    throw unauthorized();
  }
  const { sub, jti, exp, step_id: stepId, wait_id: waitId, rcpt } = payload;
  if (!nonEmpty(sub) || !nonEmpty(jti) || !nonEmpty(stepId) || !nonEmpty(waitId) || typeof exp !== "number") {
    throw unauthorized();
  }
  if (rcpt !== undefined && typeof rcpt !== "string") throw unauthorized();
  const claims: ResumeClaims = { runId: sub, stepId, waitId, jti, expiresAt: exp * 1000 };
  if (rcpt !== undefined) claims.recipient = rcpt;
  return claims;
}

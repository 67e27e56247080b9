import { env } from "cloudflare:workers";
import { SignJWT, UnsecuredJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/lib/errors";
import {
  MAX_TOKEN_LENGTH,
  parseTokenSecrets,
  randomId,
  type SignResumeClaims,
  signResumeToken,
  verifyResumeToken,
} from "../../src/tokens";
import { b64url, fromB64url } from "../helpers/tokens";

const SECRET_1 = "first-secret-0123456789abcdefghij";
const SECRET_2 = "second-secret-0123456789abcdefghi";
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

const claims = (over: Partial<SignResumeClaims> = {}): SignResumeClaims => ({
  runId: "run_123",
  stepId: "review",
  waitId: "wait_1",
  jti: "jti_abc",
  expiresAt: NOW + 7 * DAY,
  ...over,
});

async function expectAppError(promise: Promise<unknown>, code: string, message?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message !== undefined) expect((error as AppError).message).toBe(message);
}

/** Signs arbitrary claims with a raw secret, bypassing our signer, to forge edge-case tokens. */
async function forge(
  payload: Record<string, unknown>,
  opts: { secret?: string; kid?: string; alg?: string } = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: opts.alg ?? "HS256", kid: opts.kid ?? "k1" })
    .sign(new TextEncoder().encode(opts.secret ?? SECRET_1));
}

const validPayload = (): Record<string, unknown> => ({
  sub: "run_123",
  step_id: "review",
  wait_id: "wait_1",
  jti: "jti_abc",
  aud: "scaff-resume",
  iss: "scaff",
  iat: Math.floor(NOW / 1000),
  exp: Math.floor((NOW + DAY) / 1000),
});

describe("parseTokenSecrets", () => {
  it("reads kid:secret pairs, first one signs, secrets may contain colons", () => {
    const ring = parseTokenSecrets(` k2:${SECRET_2} , k1:${SECRET_1}:with:colons`);
    expect(ring.signingKid).toBe("k2");
    expect([...ring.keys.keys()]).toEqual(["k2", "k1"]);
    expect(new TextDecoder().decode(ring.keys.get("k1"))).toBe(`${SECRET_1}:with:colons`);
  });

  it("parses the test environment's configuration", () => {
    expect(parseTokenSecrets(env.RESUME_TOKEN_SECRETS).signingKid).toBe("k2");
  });

  it.each([
    ["missing", undefined, /missing or empty/],
    ["empty", "  ", /missing or empty/],
    ["no colon", `k1${SECRET_1}`, /malformed/],
    ["empty kid", `:${SECRET_1}`, /malformed/],
    ["trailing comma", `k1:${SECRET_1},`, /malformed/],
    ["duplicate kid", `k1:${SECRET_1},k1:${SECRET_2}`, /appears twice/],
    ["short secret", "k1:short-secret-of-31-bytes-xxxx", /shorter than 32 bytes/],
  ])("rejects %s as misconfigured, naming the variable but not the secret", (_name, value, why) => {
    let error: unknown;
    try {
      parseTokenSecrets(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("misconfigured");
    expect((error as AppError).message).toMatch(/RESUME_TOKEN_SECRETS/);
    expect((error as AppError).message).toMatch(why);
    expect((error as AppError).message).not.toContain(SECRET_1);
    expect((error as AppError).message).not.toContain(SECRET_2);
  });

  it("accepts a secret of exactly 32 bytes", () => {
    expect(parseTokenSecrets(`k1:${"x".repeat(32)}`).keys.size).toBe(1);
  });
});

describe("resume tokens", () => {
  const ring = parseTokenSecrets(`k1:${SECRET_1}`);

  it("round-trips every claim, including the recipient", async () => {
    const token = await signResumeToken(ring, claims({ recipient: "editor@acme.test" }), NOW);
    const header = JSON.parse(fromB64url(token.split(".")[0] ?? "")) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: "HS256", kid: "k1" });
    const payload = JSON.parse(fromB64url(token.split(".")[1] ?? "")) as Record<string, unknown>;
    expect(payload).toMatchObject({
      sub: "run_123",
      step_id: "review",
      wait_id: "wait_1",
      jti: "jti_abc",
      aud: "scaff-resume",
      iss: "scaff",
      iat: NOW / 1000,
      rcpt: "editor@acme.test",
    });
    await expect(verifyResumeToken(ring, token, NOW + DAY)).resolves.toEqual({
      runId: "run_123",
      stepId: "review",
      waitId: "wait_1",
      jti: "jti_abc",
      recipient: "editor@acme.test",
      expiresAt: NOW + 7 * DAY,
    });
  });

  it("omits the recipient when none was given and truncates expiry to whole seconds", async () => {
    const token = await signResumeToken(ring, claims({ expiresAt: NOW + 5_999 }), NOW);
    const verified = await verifyResumeToken(ring, token, NOW);
    expect(verified.recipient).toBeUndefined();
    expect("recipient" in verified).toBe(false);
    expect(verified.expiresAt).toBe(NOW + 5_000);
  });

  it("is valid until its expiry second, then answers gone with a clear message", async () => {
    const token = await signResumeToken(ring, claims({ expiresAt: NOW + DAY }), NOW);
    await expect(verifyResumeToken(ring, token, NOW + DAY - 1000)).resolves.toMatchObject({
      runId: "run_123",
    });
    await expectAppError(verifyResumeToken(ring, token, NOW + DAY), "gone", "This link has expired");
    await expectAppError(verifyResumeToken(ring, token, NOW + 30 * DAY), "gone");
  });

  it("rotates keys: old tokens verify while their kid is listed, and fail once it is removed", async () => {
    const oldToken = await signResumeToken(parseTokenSecrets(`k1:${SECRET_1}`), claims(), NOW);
    const rotated = parseTokenSecrets(`k2:${SECRET_2},k1:${SECRET_1}`);
    await expect(verifyResumeToken(rotated, oldToken, NOW)).resolves.toMatchObject({ jti: "jti_abc" });

    const newToken = await signResumeToken(rotated, claims({ jti: "jti_new" }), NOW);
    expect(JSON.parse(fromB64url(newToken.split(".")[0] ?? ""))).toMatchObject({ kid: "k2" });
    await expect(verifyResumeToken(rotated, newToken, NOW)).resolves.toMatchObject({ jti: "jti_new" });

    const retired = parseTokenSecrets(`k2:${SECRET_2}`);
    await expectAppError(verifyResumeToken(retired, oldToken, NOW), "unauthorized");
    await expect(verifyResumeToken(retired, newToken, NOW)).resolves.toMatchObject({ jti: "jti_new" });
  });

  it("rejects a token whose kid names a different secret", async () => {
    // Same kid, different secret: e.g. a token minted by another deployment.
    const token = await signResumeToken(parseTokenSecrets(`k1:${SECRET_2}`), claims(), NOW);
    await expectAppError(verifyResumeToken(ring, token, NOW), "unauthorized");
  });

  it("rejects a tampered payload and a tampered signature", async () => {
    const token = await signResumeToken(ring, claims(), NOW);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claimsSet = JSON.parse(fromB64url(payload)) as Record<string, unknown>;
    const otherRun = b64url(JSON.stringify({ ...claimsSet, sub: "run_999" }));
    await expectAppError(verifyResumeToken(ring, `${header}.${otherRun}.${signature}`, NOW), "unauthorized");

    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    await expectAppError(verifyResumeToken(ring, `${header}.${payload}.${flipped}`, NOW), "unauthorized");
    await expectAppError(verifyResumeToken(ring, `${header}.${payload}.`, NOW), "unauthorized");
  });

  it("answers unauthorized, not gone, for an expired token that was tampered with", async () => {
    const token = await signResumeToken(ring, claims({ expiresAt: NOW - DAY }), NOW - 2 * DAY);
    await expectAppError(verifyResumeToken(ring, token, NOW), "gone");
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claimsSet = JSON.parse(fromB64url(payload)) as Record<string, unknown>;
    const tampered = b64url(JSON.stringify({ ...claimsSet, wait_id: "wait_2" }));
    await expectAppError(verifyResumeToken(ring, `${header}.${tampered}.${signature}`, NOW), "unauthorized");
    // Expired and signed with an unknown key: still unauthorized.
    const foreign = await forge(
      { ...validPayload(), exp: Math.floor((NOW - DAY) / 1000) },
      { secret: SECRET_2 },
    );
    await expectAppError(verifyResumeToken(ring, foreign, NOW), "unauthorized");
  });

  it("rejects unsigned (alg none) tokens", async () => {
    const unsecured = new UnsecuredJWT(validPayload()).encode();
    await expectAppError(verifyResumeToken(ring, unsecured, NOW), "unauthorized");
    // A hand-made `none` token that also carries our kid.
    const handMade = `${b64url(JSON.stringify({ alg: "none", kid: "k1" }))}.${b64url(JSON.stringify(validPayload()))}.`;
    await expectAppError(verifyResumeToken(ring, handMade, NOW), "unauthorized");
  });

  it("pins HS256: an HS512 token made with the right secret and kid is rejected", async () => {
    const control = await forge(validPayload());
    await expect(verifyResumeToken(ring, control, NOW)).resolves.toMatchObject({ runId: "run_123" });
    const hs512 = await forge(validPayload(), { alg: "HS512" });
    await expectAppError(verifyResumeToken(ring, hs512, NOW), "unauthorized");
    const hs384 = await forge(validPayload(), { alg: "HS384" });
    await expectAppError(verifyResumeToken(ring, hs384, NOW), "unauthorized");
  });

  it("rejects an RS256 header even when the body is otherwise valid", async () => {
    const control = await forge(validPayload());
    const [, payload, signature] = control.split(".") as [string, string, string];
    const rs256 = `${b64url(JSON.stringify({ alg: "RS256", kid: "k1" }))}.${payload}.${signature}`;
    await expectAppError(verifyResumeToken(ring, rs256, NOW), "unauthorized");
  });

  it.each([
    ["wrong audience", { aud: "someone-else" }],
    ["wrong issuer", { iss: "evil" }],
    ["missing sub", { sub: undefined }],
    ["missing step_id", { step_id: undefined }],
    ["missing wait_id", { wait_id: undefined }],
    ["missing jti", { jti: undefined }],
    ["missing exp", { exp: undefined }],
    ["missing iat", { iat: undefined }],
    ["non-string step_id", { step_id: 42 }],
    ["empty wait_id", { wait_id: "" }],
    ["non-string recipient", { rcpt: ["a@b.test"] }],
  ])("rejects a correctly signed token with %s", async (_name, change) => {
    const payload: Record<string, unknown> = { ...validPayload(), ...change };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    await expectAppError(verifyResumeToken(ring, await forge(payload), NOW), "unauthorized");
  });

  it("rejects tokens without a kid or with an unknown kid", async () => {
    const noKid = await new SignJWT(validPayload())
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(SECRET_1));
    await expectAppError(verifyResumeToken(ring, noKid, NOW), "unauthorized");
    await expectAppError(
      verifyResumeToken(ring, await forge(validPayload(), { kid: "k9" }), NOW),
      "unauthorized",
    );
  });

  it.each([
    ["empty", ""],
    ["one segment", "abc"],
    ["garbage segments", "a.b.c"],
    ["non-JSON header", `${b64url("not json")}.${b64url("{}")}.sig`],
    ["JSON array payload", `${b64url('{"alg":"HS256","kid":"k1"}')}.${b64url("[1]")}.sig`],
    ["spaces", "   "],
    ["unicode", "ťőķêñ.ťőķêñ.ťőķêñ"],
    ["four segments", "a.b.c.d"],
  ])("rejects %s input as unauthorized", async (_name, token) => {
    await expectAppError(verifyResumeToken(ring, token, NOW), "unauthorized", "This link is not valid");
  });

  it("refuses strings over 4 KiB without parsing them, even a validly signed one", async () => {
    const big = await signResumeToken(ring, claims({ recipient: "x".repeat(MAX_TOKEN_LENGTH) }), NOW);
    expect(big.length).toBeGreaterThan(MAX_TOKEN_LENGTH);
    await expectAppError(verifyResumeToken(ring, big, NOW), "unauthorized");
    await expectAppError(verifyResumeToken(ring, "a".repeat(10 * 1024 * 1024), NOW), "unauthorized");
  });

  it("refuses to sign with missing claims or non-finite times", async () => {
    await expectAppError(signResumeToken(ring, claims({ waitId: "" }), NOW), "internal");
    await expectAppError(signResumeToken(ring, claims({ expiresAt: Number.NaN }), NOW), "internal");
  });
});

describe("randomId", () => {
  it("returns distinct 128-bit base64url ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

// Forged, tampered, expired and malformed resume tokens against a run waiting at its form. The real
// token is only read (its claims seed the variants); none of these may use it up or move the run.
import { craft, decode, flipSignature } from "../../lib/jwt.mjs";
import { SETTINGS } from "../../lib/server.mjs";

const SECRET = SETTINGS.tokenSecret;
const KID = SETTINGS.tokenKid;
const DATA = { note: "forged", score: 80 };

/** Cases for POST /resume; `ctx.token()` is the run's real token, `ctx.otherToken()` another run's. */
export function tokenCases(ctx) {
  const real = () => decode(ctx.token());
  const now = Math.floor(Date.now() / 1000);
  const signed = (mutate, hash) => () => {
    const { header, payload } = real();
    const h = { ...header };
    const p = { ...payload };
    mutate(h, p);
    return craft(h, p, SECRET, hash);
  };
  const unsigned = (mutate) => () => {
    const { header, payload } = real();
    const h = { ...header };
    const p = { ...payload };
    mutate(h, p);
    return craft(h, p, undefined);
  };
  const c = (name, token, expect) => ({
    name: `token: ${name}`,
    method: "POST",
    path: "/v1/executions/{run}/resume",
    body: () => JSON.stringify({ token: typeof token === "function" ? token() : token, data: DATA }),
    headers: { "content-type": "application/json" },
    expect,
  });
  return [
    c("signature flipped", () => flipSignature(ctx.token()), [401]),
    c("payload swapped, old signature", () => {
      const { parts, payload } = real();
      const forged = Buffer.from(JSON.stringify({ ...payload, exp: now + 9e6 })).toString("base64url");
      return `${parts[0]}.${forged}.${parts[2]}`;
    }, [401]),
    c(
      "alg none, no signature",
      unsigned((h) => {
        h.alg = "none";
      }),
      [401],
    ),
    c("alg none, real signature", () => {
      const { parts } = real();
      const h = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT", kid: KID })).toString("base64url");
      return `${h}.${parts[1]}.${parts[2]}`;
    }, [401]),
    c(
      "alg NONE",
      unsigned((h) => {
        h.alg = "NONE";
      }),
      [401],
    ),
    c(
      "HS512 with the real secret",
      signed((h) => {
        h.alg = "HS512";
      }, "sha512"),
      [401],
    ),
    c(
      "RS256 header, HMAC signature",
      signed((h) => {
        h.alg = "RS256";
      }),
      [401],
    ),
    c(
      "unknown kid",
      signed((h) => {
        h.kid = "k-unknown";
      }),
      [401],
    ),
    c(
      "no kid",
      signed((h) => {
        delete h.kid;
      }),
      [401],
    ),
    c(
      "kid path traversal",
      signed((h) => {
        h.kid = "../../../../dev/null";
      }),
      [401],
    ),
    c(
      "kid array",
      signed((h) => {
        h.kid = [KID];
      }),
      [401],
    ),
    c(
      "kid __proto__",
      signed((h) => {
        h.kid = "__proto__";
      }),
      [401],
    ),
    c(
      "crit header",
      signed((h) => {
        h.crit = ["exp"];
      }),
      [401],
    ),
    c(
      "b64 false",
      signed((h) => {
        h.b64 = false;
        h.crit = ["b64"];
      }),
      [401],
    ),
    c(
      "expired, genuine signature",
      signed((_h, p) => {
        p.exp = now - 60;
        p.iat = now - 120;
      }),
      [410],
    ),
    c(
      "expired and tampered",
      () =>
        flipSignature(
          signed((_h, p) => {
            p.exp = now - 60;
          })(),
        ),
      [401],
    ),
    c(
      "wrong audience",
      signed((_h, p) => {
        p.aud = "someone-else";
      }),
      [401],
    ),
    c(
      "wrong issuer",
      signed((_h, p) => {
        p.iss = "evil";
      }),
      [401],
    ),
    c(
      "no jti",
      signed((_h, p) => {
        delete p.jti;
      }),
      [401],
    ),
    c(
      "unknown jti",
      signed((_h, p) => {
        p.jti = "tok_00000000000000000000000000";
      }),
      [401],
    ),
    // The stored token names another wait than the signed one: not this link (as the link page says).
    c(
      "other wait id",
      signed((_h, p) => {
        p.wait_id = "wait_00000000000000000000000000";
      }),
      [401],
    ),
    c(
      "other step id",
      signed((_h, p) => {
        p.step_id = "sign";
      }),
      [409],
    ),
    c(
      "sub of another run",
      signed((_h, p) => {
        p.sub = "run_00000000000000000000000000";
      }),
      [401],
    ),
    c(
      "sub number",
      signed((_h, p) => {
        p.sub = 12345;
      }),
      [401],
    ),
    c(
      "exp string",
      signed((_h, p) => {
        p.exp = String(now + 3600);
      }),
      [401],
    ),
    c(
      "rcpt number",
      signed((_h, p) => {
        p.rcpt = 42;
      }),
      [401],
    ),
    c("another run's real token", () => ctx.otherToken(), [401]),
    c("four parts", () => `${ctx.token()}.x`, [401]),
    c("five parts (JWE-like)", "a.b.c.d.e", [401]),
    c(
      "header not JSON",
      () => `${Buffer.from("not json").toString("base64url")}.${real().parts[1]}.${real().parts[2]}`,
      [401],
    ),
    c(
      "header JSON array",
      () => `${Buffer.from("[1]").toString("base64url")}.${real().parts[1]}.${real().parts[2]}`,
      [401],
    ),
    c("emoji token", "😀.😀.😀", [401]),
    c("NUL in token", "a\u0000b.c.d", [401]),
    c("lone surrogate token", "\ud800.x.y", [401]),
    c("whitespace token", "   ", [401]),
    c("4096-char token", "t".repeat(4096), [401]),
  ];
}

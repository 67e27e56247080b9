import type { IncomingMessage, ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import type { StartedFake } from "./index.js";
import { listenOnLoopback } from "./listen.js";

/**
 * A fake Cloudflare Access team on 127.0.0.1: its issuer is the server's own URL.
 *   GET /cdn-cgi/access/certs                the team's JWKS (one RS256 key, kid "k1")
 *   GET /sign?email=&aud=[&ttl=][&forge=1]    an Access JWT for `email` and `aud`; `ttl` seconds
 *                                            (negative: already expired); `forge=1` signs with a key
 *                                            the JWKS does not hold (same kid)
 */
export async function startFakeAccess(): Promise<StartedFake> {
  const real = await generateKeyPair("RS256");
  const forged = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(real.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let issuer = "";

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname === "/cdn-cgi/access/certs") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if (url.pathname === "/sign") {
      const now = Math.floor(Date.now() / 1000);
      const ttl = Number(url.searchParams.get("ttl") ?? "600");
      const key = url.searchParams.get("forge") === "1" ? forged.privateKey : real.privateKey;
      const token = await new SignJWT({ email: url.searchParams.get("email") ?? "", type: "app" })
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(issuer)
        .setAudience([url.searchParams.get("aud") ?? ""])
        .setSubject("user-1")
        .setIssuedAt(now - 5)
        .setExpirationTime(now + ttl)
        .sign(key);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(token);
      return;
    }
    res.writeHead(404);
    res.end();
  };

  const started = await listenOnLoopback("accessUrl", handle);
  issuer = started.url;
  return started;
}

declare module "vitest" {
  export interface ProvidedContext {
    accessUrl: string;
  }
}

import { describe, expect, it } from "vitest";
import { executeApiCall } from "../../src/executors/api-call";
import { deps, hostOf, newKey, other, SECRET, step, view, wire, wireOf } from "./wire";

// Who may receive a secret: only the hosts SECRETS_ALLOWED_HOSTS lists for it, and never in a URL.
// The wire servers record what really arrived.

const BEARER = { Authorization: "Bearer {{secrets.TEST_TOKEN}}" };

describe("api_call sends a secret only to the hosts SECRETS_ALLOWED_HOSTS lists for it", () => {
  it("sends the secret in a header and in the body to an allowed host", async () => {
    const key = newKey("allowed");
    const out = await executeApiCall(
      step({ url: `${wire}/rec/${key}`, headers: BEARER, body: { token: "{{secrets.TEST_TOKEN}}" } }),
      view,
      deps(),
    );
    expect(out.status).toBe("completed");
    const [received, ...more] = await wireOf(key);
    expect(more).toEqual([]);
    expect(received?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.parse(received?.body ?? "")).toEqual({ token: SECRET });
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it("fails with secret_not_allowed before sending anything to a host not listed for the secret", async () => {
    const key = newKey("other-host");
    const uses = [
      { headers: BEARER },
      { body: { token: "{{secrets.TEST_TOKEN}}" } },
      { body: "{{#secrets}}{{TEST_TOKEN}}{{/secrets}}" },
      { headers: { "X-All": "{{secrets}}" } },
    ];
    for (const use of uses) {
      const out = await executeApiCall(step({ url: `${other}/rec/${key}`, ...use }), view, deps());
      expect(out, JSON.stringify(use)).toMatchObject({
        status: "failed",
        attempts: 0,
        error: { code: "secret_not_allowed" },
      });
      if (out.status !== "failed") continue;
      expect(out.error.message).toContain("TEST_TOKEN");
      expect(out.error.message).toContain(hostOf(other));
      expect(JSON.stringify(out)).not.toContain(SECRET);
    }
    expect(await wireOf(key)).toEqual([]);
  });

  it("never sends a secret that has no entry, nor any secret when SECRETS_ALLOWED_HOSTS is unset", async () => {
    const key = newKey("unlisted");
    for (const allowed of [`OTHER=${hostOf(wire)}`, "", null]) {
      const out = await executeApiCall(
        step({ url: `${wire}/rec/${key}`, headers: BEARER }),
        view,
        deps(allowed),
      );
      expect(out, String(allowed)).toMatchObject({ status: "failed", error: { code: "secret_not_allowed" } });
    }
    expect(await wireOf(key)).toEqual([]);
    // A request that carries no secret goes anywhere, SECRETS_ALLOWED_HOSTS or not.
    const plain = await executeApiCall(step({ url: `${other}/rec/${key}` }), view, deps(null));
    expect(plain.status).toBe("completed");
    expect(await wireOf(key)).toHaveLength(1);
  });

  it("checks the host run data chose: {{{runtime.x}}} cannot send a secret to another host", async () => {
    const key = newKey("runtime-host");
    const url = `{{{runtime.base}}}/rec/${key}`;
    const out = await executeApiCall(step({ url, headers: BEARER }), view, deps());
    expect(out).toMatchObject({ status: "failed", error: { code: "secret_not_allowed" } });
    expect(await wireOf(key)).toEqual([]);
    const plain = await executeApiCall(step({ url }), view, deps());
    expect(plain.status).toBe("completed");
    expect((await wireOf(key)).map((r) => r.server)).toEqual(["b"]);
  });

  it("matches a host at any port, or only the port an entry names", async () => {
    const key = newKey("ports");
    const anyPort = await executeApiCall(
      step({ url: `${other}/rec/${key}`, headers: BEARER }),
      view,
      deps("TEST_TOKEN=example.test,127.0.0.1"),
    );
    expect(anyPort.status).toBe("completed");
    expect((await wireOf(key))[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
  });

  it("fails the step as misconfigured when SECRETS_ALLOWED_HOSTS is malformed", async () => {
    const key = newKey("malformed");
    const out = await executeApiCall(
      step({ url: `${wire}/rec/${key}`, headers: BEARER }),
      view,
      deps("TEST_TOKEN"),
    );
    expect(out).toMatchObject({ status: "failed", attempts: 0, error: { code: "misconfigured" } });
    if (out.status === "failed") expect(out.error.message).toContain("SECRETS_ALLOWED_HOSTS");
    expect(await wireOf(key)).toEqual([]);
  });
});

describe("api_call never puts a secret in a URL", () => {
  it("refuses {{secrets.*}} in the url or the query at run time, whatever the tag, and sends nothing", async () => {
    const key = newKey("in-url");
    // Characters URL normalisation rewrites: the raw form once reached the stored request unredacted.
    const special = "p@ss w0rd/é|x";
    const cases = [
      { url: `${wire}/rec/${key}/{{secrets.TEST_TOKEN}}` },
      { url: `${wire}/rec/${key}/{{{secrets.TEST_TOKEN}}}` },
      { url: `${wire}/rec/${key}?t={{& secrets.TEST_TOKEN}}` },
      { url: `${wire}/rec/${key}?t={{#secrets}}{{TEST_TOKEN}}{{/secrets}}` },
      { url: `${wire}/rec/${key}`, query: { t: "{{{secrets.TEST_TOKEN}}}" } },
    ];
    for (const c of cases) {
      const out = await executeApiCall(
        step({ ...c, headers: BEARER }),
        view,
        deps(undefined, { TEST_TOKEN: special }),
      );
      expect(out, JSON.stringify(c)).toMatchObject({
        status: "failed",
        attempts: 0,
        error: { code: "secret_in_url" },
      });
      const stored = JSON.stringify(out);
      for (const form of [
        special,
        "p@ss%20w0rd/%C3%A9|x",
        "p@ss%20w0rd/%C3%A9%7Cx",
        encodeURIComponent(special),
      ]) {
        expect(stored, JSON.stringify(c)).not.toContain(form);
      }
    }
    expect(await wireOf(key)).toEqual([]);
  });
});

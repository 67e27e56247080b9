import { describe, expect, it } from "vitest";
import { executeApiCall } from "../../src/executors/api-call";
import { REDACTED, redactSecrets } from "../../src/lib/secrets";
import { deps, newKey, step, view, wire, wireOf } from "./wire";

// Every encoded form of a secret that can reach stored data is redacted: raw, URL-encoded (both
// forms), JSON-escaped (once or twice, \u escapes too) and base64 (inside a longer encoded string).

/** Quote, backslash, space, plus, slash, equals: every encoding writes this one differently. */
const TRICKY = 'Tok"en\\ p@ss+w/9=';

const b64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
const b64url = (text: string): string => b64(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const json = (text: string): string => JSON.stringify(text).slice(1, -1);

function formsOf(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    json(secret),
    json(json(secret)),
  ];
}

describe("redaction of a secret's encoded forms", () => {
  it("redacts what the server echoes back, in every encoding, from the stored response", async () => {
    const key = newKey("forms");
    const out = await executeApiCall(
      step({
        url: `${wire}/forms/${key}`,
        headers: { Authorization: "{{secrets.TEST_TOKEN}}" },
        body: { note: "{{secrets.TEST_TOKEN}}" },
      }),
      view,
      deps(undefined, { TEST_TOKEN: TRICKY }),
    );
    expect(out.status).toBe("completed");
    // The server got the real value.
    expect((await wireOf(key))[0]?.headers.authorization).toBe(TRICKY);
    const stored = JSON.stringify(out);
    for (const form of [...formsOf(TRICKY), b64(`user:${TRICKY}`), b64url(`xy:${TRICKY}`)]) {
      expect(stored, form).not.toContain(form);
    }
    if (out.status !== "completed") return;
    const lines = String(out.output.body).split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toContain(REDACTED);
  });

  it("redacts base64 at every alignment, Basic auth included, and \\u-escaped JSON", () => {
    const secret = "pa55-wörd-42";
    const secrets = { S: secret };
    for (const prefix of ["", "u:", "us:", "use:", "user:"]) {
      for (const encoded of [
        b64(`${prefix}${secret}`),
        b64(`${prefix}${secret}!tail`),
        b64url(prefix + secret),
      ]) {
        const redacted = String(redactSecrets(`Basic ${encoded}`, secrets));
        expect(redacted, `${prefix} ${encoded}`).toContain(REDACTED);
        expect(redacted).not.toBe(`Basic ${encoded}`);
      }
    }
    const asciiJson = JSON.stringify(secret).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    expect(redactSecrets({ text: `{"k":${asciiJson}}` }, secrets)).toEqual({ text: `{"k":"${REDACTED}"}` });
  });

  it("keeps the old guarantees: deep values, keys, both URL encodings, short values untouched", () => {
    const secrets = { A: "p@ss word/1", SHORT: "abc" };
    const value = {
      list: ["x p@ss word/1 y", { deep: "p%40ss%20word%2F1" }, "p%40ss+word%2F1"],
      abc: "abc stays",
      "key p@ss word/1": true,
      n: 5,
    };
    expect(redactSecrets(value, secrets)).toEqual({
      list: [`x ${REDACTED} y`, { deep: REDACTED }, REDACTED],
      abc: "abc stays",
      [`key ${REDACTED}`]: true,
      n: 5,
    });
  });
});

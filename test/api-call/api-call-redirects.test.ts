import { describe, expect, it } from "vitest";
import { executeApiCall } from "../../src/executors/api-call";
import { deps, newKey, other, SECRET, step, view, wire, wireOf } from "./wire";

// api_call follows redirects itself: same origin only, at most 5 hops. The wire servers (two
// origins) record what each hop really sent.

const SECRET_HEADERS = {
  Authorization: "Bearer {{secrets.TEST_TOKEN}}",
  "X-Api-Key": "{{secrets.TEST_TOKEN}}",
};
const to = (url: string): string => encodeURIComponent(url);

describe("api_call redirects", () => {
  it("workerd's fetch with redirect: manual shows the 3xx and its Location", async () => {
    const key = newKey("manual");
    const res = await fetch(`${wire}/redirect/${key}?status=307&to=${to(`${other}/rec/${key}`)}`, {
      redirect: "manual",
    });
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`${other}/rec/${key}`);
    expect((await wireOf(key)).map((r) => r.server)).toEqual(["a"]);
  });

  it("fails a cross-origin redirect with redirect_not_allowed; the other origin receives nothing", async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const key = newKey(`cross-${status}`);
      const out = await executeApiCall(
        step({
          url: `${wire}/redirect/${key}?status=${status}&to=${to(`${other}/rec/${key}`)}`,
          headers: SECRET_HEADERS,
          body: { token: "{{secrets.TEST_TOKEN}}" },
        }),
        view,
        deps(),
      );
      expect(out, String(status)).toMatchObject({
        status: "failed",
        attempts: 1,
        error: { code: "redirect_not_allowed", status },
      });
      if (out.status === "failed") expect(out.error.message).toContain(new URL(other).origin);
      const records = await wireOf(key);
      expect(records.map((r) => r.server)).toEqual(["a"]);
      expect(records[0]?.headers["x-api-key"]).toBe(SECRET);
      expect(JSON.stringify(out)).not.toContain(SECRET);
    }
  });

  it("refuses a cross-origin redirect even when the request carries no secret", async () => {
    const key = newKey("cross-plain");
    const out = await executeApiCall(
      step({ method: "GET", url: `${wire}/redirect/${key}?to=${to(`${other}/rec/${key}`)}` }),
      view,
      deps(),
    );
    expect(out).toMatchObject({ status: "failed", error: { code: "redirect_not_allowed" } });
    expect((await wireOf(key)).map((r) => r.server)).toEqual(["a"]);
  });

  it("follows a same-origin redirect: 307/308 keep method, headers and body", async () => {
    for (const status of [307, 308]) {
      const key = newKey(`same-${status}`);
      const out = await executeApiCall(
        step({
          method: "PUT",
          url: `${wire}/redirect/${key}?status=${status}&to=${to(`/rec/${key}`)}`,
          headers: SECRET_HEADERS,
          body: { token: "{{secrets.TEST_TOKEN}}" },
        }),
        view,
        deps(),
      );
      expect(out, String(status)).toMatchObject({ status: "completed", output: { status: 200 } });
      const [, second] = await wireOf(key);
      expect(second).toMatchObject({ server: "a", method: "PUT", path: `/rec/${key}` });
      expect(second?.headers["x-api-key"]).toBe(SECRET);
      expect(JSON.parse(second?.body ?? "")).toEqual({ token: SECRET });
    }
  });

  it("switches to GET without a body on 303, and on 301/302 after a POST, as browsers do", async () => {
    const cases = [
      { status: 303, method: "PUT", next: "GET" },
      { status: 301, method: "POST", next: "GET" },
      { status: 302, method: "POST", next: "GET" },
      { status: 302, method: "PATCH", next: "PATCH" },
    ] as const;
    for (const c of cases) {
      const key = newKey(`switch-${c.status}`);
      const out = await executeApiCall(
        step({
          method: c.method,
          url: `${wire}/redirect/${key}?status=${c.status}&to=${to(`/rec/${key}`)}`,
          headers: SECRET_HEADERS,
          body: { a: 1 },
        }),
        view,
        deps(),
      );
      expect(out.status, JSON.stringify(c)).toBe("completed");
      const [, second] = await wireOf(key);
      expect(second?.method, JSON.stringify(c)).toBe(c.next);
      if (c.next === "GET") {
        expect(second?.body).toBe("");
        expect(second?.headers["content-type"]).toBeUndefined();
      }
    }
  });

  it("stops after 5 redirects with too_many_redirects", async () => {
    const key = newKey("loop");
    const out = await executeApiCall(
      step({ method: "GET", url: `${wire}/loop/${key}/0`, retry: { max: 2 } }),
      view,
      deps(),
    );
    expect(out).toMatchObject({ status: "failed", attempts: 1, error: { code: "too_many_redirects" } });
    // The first request and 5 redirects followed; the 6th redirect is not.
    expect(await wireOf(key)).toHaveLength(6);
  });

  it("keeps a 3xx without a Location as the response", async () => {
    const key = newKey("no-location");
    const out = await executeApiCall(
      step({ method: "GET", url: `${wire}/redirect/${key}?status=300` }),
      view,
      deps(),
    );
    expect(out).toMatchObject({ status: "completed", output: { status: 300, body: "no location" } });
    expect(await wireOf(key)).toHaveLength(1);
  });
});

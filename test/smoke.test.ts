import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("boots", async () => {
  const res = await exports.default.fetch("http://x/");
  expect(res.status).toBe(200);
  const r = await env.DB.prepare("select count(*) as n from runs").first<{ n: number }>();
  expect(r?.n).toBe(0);
});

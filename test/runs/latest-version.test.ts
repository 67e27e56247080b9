// A start that names no version runs the workflow's latest version, read from D1 at most once per
// LATEST_VERSION_TTL_MS per isolate: the isolate that saves or deletes a workflow sees it at once,
// another isolate (simulated here by changing D1 behind the cache's back) within the window.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LATEST_VERSION_TTL_MS, latestVersion } from "../../src/definitions/latest-version";
import { api } from "../helpers/api";

const yaml = (id: string, title: string) => `id: ${id}
name: Latest ${title}
start_step: ask
steps:
  - id: ask
    type: form
    title: ${title}
    fields:
      - { name: answer, type: string }
`;

const start = (workflow_id: string) => api("POST", "/v1/executions", { json: { workflow_id } });

describe("the latest version a start runs", () => {
  it("is the version just saved or gone once deleted, through this isolate", async () => {
    expect((await api("POST", "/v1/workflows", { yaml: yaml("latest-a", "one") })).status).toBe(201);
    expect((await start("latest-a")).body.workflow_version).toBe(1);
    expect((await api("PUT", "/v1/workflows/latest-a", { yaml: yaml("latest-a", "two") })).status).toBe(201);
    const second = await start("latest-a");
    expect(second.status).toBe(202);
    expect(second.body.workflow_version).toBe(2);
    expect((second.body.waiting as { title: string }).title).toBe("two");
    expect((await api("DELETE", "/v1/workflows/latest-a")).status).toBe(204);
    expect((await start("latest-a")).status).toBe(404);
  });

  it("costs no D1 read within the window and reads D1 again after it", async () => {
    expect((await api("POST", "/v1/workflows", { yaml: yaml("latest-b", "one") })).status).toBe(201);
    const t0 = 1_000_000;
    expect(await latestVersion(env.DB, "latest-b", t0)).toBe(1);
    // Another isolate saves version 2: only D1 knows.
    await env.DB.prepare("UPDATE workflows SET latest_version = 2 WHERE id = ?").bind("latest-b").run();
    expect(await latestVersion(env.DB, "latest-b", t0 + LATEST_VERSION_TTL_MS - 1)).toBe(1);
    expect(await latestVersion(env.DB, "latest-b", t0 + LATEST_VERSION_TTL_MS)).toBe(2);
    // A clock that went backwards never extends the window.
    expect(await latestVersion(env.DB, "latest-b", t0 - 5)).toBe(2);
  });

  it("never remembers a workflow that does not exist", async () => {
    expect(await latestVersion(env.DB, "latest-c")).toBeNull();
    expect((await api("POST", "/v1/workflows", { yaml: yaml("latest-c", "one") })).status).toBe(201);
    expect(await latestVersion(env.DB, "latest-c")).toBe(1);
  });
});

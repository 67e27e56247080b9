// The typed client users import (scaff/client), against the Worker itself: a YAML workflow saved,
// a run started, the form answered, the run completed, with the types the editor sees.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createScaffClient, type RunStatus } from "../../client/index.mjs";
import { API_KEY, BASE } from "../helpers/api";

const WORKFLOW = `id: client-form
name: Client form
start_step: ask
steps:
  - id: ask
    type: form
    fields:
      - { name: answer, type: string, required: true }
`;

const scaff = (apiKey = API_KEY) =>
  createScaffClient({ baseUrl: BASE, apiKey, fetch: (request: Request) => exports.default.fetch(request) });

describe("the typed client", () => {
  it("saves a YAML workflow, starts a run and resumes it", async () => {
    const client = scaff();
    const created = await client.POST("/v1/workflows", {
      body: WORKFLOW,
      bodySerializer: (text) => text as string,
      headers: { "content-type": "application/yaml" },
    });
    expect(created.response.status).toBe(201);
    expect(created.data?.id).toBe("client-form");

    const started = await client.POST("/v1/executions", { body: { workflow_id: "client-form" } });
    expect(started.response.status).toBe(202);
    const run: RunStatus | undefined = started.data;
    expect(run?.status).toBe("waiting");
    const token = run?.waiting?.resume_token ?? "";

    const resumed = await client.POST("/v1/executions/{run_id}/resume", {
      params: { path: { run_id: run?.run_id ?? "" } },
      body: { token, data: { answer: "yes" } },
    });
    expect(resumed.data?.status).toBe("completed");

    const context = await client.GET("/v1/executions/{run_id}/context", {
      params: { path: { run_id: run?.run_id ?? "" } },
    });
    expect(context.data?.runtime).toMatchObject({ answer: "yes" });
  });

  it("returns the error envelope typed, without throwing", async () => {
    const { data, error, response } = await scaff("wrong-key").GET("/v1/workflows", {});
    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error?.error.code).toBe("unauthorized");
  });
});

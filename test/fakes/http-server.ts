import type { StartedFake } from "./index.js";

// Placeholder: the api_call work replaces this with a real local HTTP server.
export async function startFakeHttpServer(): Promise<StartedFake> {
  return { key: "httpServerUrl", url: "", stop: async () => {} };
}

import type { StartedFake } from "./index.js";

// Placeholder: the AI work replaces this with a fake OpenAI-compatible server on 127.0.0.1.
export async function startFakeOpenAI(): Promise<StartedFake> {
  return { key: "openaiUrl", url: "", stop: async () => {} };
}

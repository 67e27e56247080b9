import { startFakeAccess } from "./access-server.js";
import { startFakeAnthropic } from "./anthropic-server.js";
import { startFakeHttpServer } from "./http-server.js";
import { startFakeOpenAI } from "./openai-server.js";
import { startWireServer } from "./wire-server.js";

/** A fake server started once for the whole test run; its URL reaches tests via `inject(key)`. */
export interface StartedFake {
  key: string;
  url: string;
  stop: () => Promise<void>;
}

export const starters: Array<() => Promise<StartedFake>> = [
  startFakeOpenAI,
  startFakeAnthropic,
  startFakeHttpServer,
  () => startWireServer("wireUrl", "a"),
  () => startWireServer("wireOtherUrl", "b"),
  startFakeAccess,
];

import type { TestProject } from "vitest/node";

/** Starts the local fake servers tests talk to over real HTTP on 127.0.0.1. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const fakes = await import("./fakes/index.js");
  if (fakes) {
    for (const start of fakes.starters) {
      const started = await start();
      project.provide(started.key as never, started.url as never);
      stops.push(started.stop);
    }
  }
  return async () => {
    for (const stop of stops) await stop();
  };
}

import { createApp } from "./app";

export { RunCoordinator } from "./durable/run-coordinator";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

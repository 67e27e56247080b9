import { createApp } from "./app";
import { handleQueue, type QueueMessage } from "./queue";

export { RunCoordinator } from "./durable/run-coordinator";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
} satisfies ExportedHandler<Env, QueueMessage>;

import { createApp } from "./app";
import { handleQueue, type QueueMessage } from "./queue";
import { handleScheduled } from "./triggers/scheduled";

export { IndexWriter } from "./durable/index-writer";
export { RunCoordinator } from "./durable/run-coordinator";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env, QueueMessage>;

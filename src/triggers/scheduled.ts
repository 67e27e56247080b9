import { createLogger } from "../lib/logger";
import { runTick } from "./tick";

/** The Worker's scheduled handler: the one `* * * * *` Cron Trigger starts the due schedules' runs. */
export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const log = createLogger(env.LOG_LEVEL, { tick: new Date(controller.scheduledTime).toISOString() });
  const report = await runTick(env, controller.scheduledTime, log);
  if (report.started.length > 0 || report.failed > 0) {
    log.info("tick", { started: report.started.length, failed: report.failed });
  }
}

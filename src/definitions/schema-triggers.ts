/** zod 4 schema of a workflow's `triggers` (docs/triggers.md): cron schedules and a webhook. */
import { z } from "zod";
import { cronProblem } from "../triggers/cron";
import type { Trigger } from "./types";

/** At most this many triggers: every schedule is read by every minute's tick. */
export const MAX_TRIGGERS = 10;

const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

// One object with optional keys rather than a union: a mistake is reported at its own key
// (`triggers[0].cron: invalid cron expression …`), not as "matches no alternative".
const trigger = z
  .strictObject({
    cron: cron.optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    webhook: z.strictObject({}).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.cron === undefined) === (t.webhook === undefined)) {
      ctx.addIssue({ code: "custom", message: 'a trigger has either cron: "<expression>" or webhook: {}' });
    } else if (t.webhook !== undefined && t.inputs !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["inputs"],
        message: "a webhook's inputs are the JSON body of its post; inputs belong to cron triggers",
      });
    }
  })
  .transform((t): Trigger => {
    if (t.cron === undefined) return { webhook: {} };
    return t.inputs === undefined ? { cron: t.cron } : { cron: t.cron, inputs: t.inputs };
  });

export const triggersSchema = z.array(trigger).max(MAX_TRIGGERS, `at most ${MAX_TRIGGERS} triggers`);

import { z } from "@hono/zod-openapi";
import { RunStatusEnum } from "./executions";

export const StatsQuerySchema = z.object({
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({
      param: { name: "since", in: "query" },
      description: "Only runs created at or after this time (RFC 3339); all runs when omitted",
      example: "2026-12-01T00:00:00Z",
    }),
});

const count = z.number().int();

export const WorkflowStatsSchema = z
  .object({
    workflow_id: z.string(),
    since: z.string().nullable().openapi({ format: "date-time" }),
    runs: z.object({ total: count, by_status: z.record(RunStatusEnum, count) }),
    duration_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }).openapi({
      description: "Created → finished, over the runs that finished (nearest rank); null without any",
    }),
    ai: z.object({
      attempts: count,
      re_asks: count,
      human_fixes: count,
      tokens_prompt: count,
      tokens_output: count,
      cost_usd: z.number(),
    }),
  })
  .openapi("WorkflowStats", {
    description: "Read from the run index, which may lag a run's last transition by its index write",
  });

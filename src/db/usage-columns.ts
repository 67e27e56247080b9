import { integer, real } from "drizzle-orm/sqlite-core";

/** What a run's AI steps used (src/engine/usage.ts), kept in its run_index row for the workflow's stats. */
export const usageColumns = {
  tokensPrompt: integer("tokens_prompt").notNull().default(0),
  tokensOutput: integer("tokens_output").notNull().default(0),
  costUsd: real("cost_usd").notNull().default(0),
  aiAttempts: integer("ai_attempts").notNull().default(0),
  reAsks: integer("re_asks").notNull().default(0),
  humanFixes: integer("human_fixes").notNull().default(0),
};

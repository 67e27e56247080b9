-- What each run's AI steps used, kept in the run index for GET /v1/workflows/{id}/stats.
ALTER TABLE `run_index` ADD `tokens_prompt` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `run_index` ADD `tokens_output` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `run_index` ADD `cost_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `run_index` ADD `ai_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `run_index` ADD `re_asks` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `run_index` ADD `human_fixes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Runs written before their record moved into their object still have their events in D1: sum them.
-- (Re-asks need the order of attempts and are left at 0 for those runs.) Runs created since the move
-- get their usage with their next transition.
UPDATE `run_index` SET
  `tokens_prompt` = coalesce((SELECT sum(json_extract(`data`, '$.tokens_prompt')) FROM `events` e WHERE e.`run_id` = `run_index`.`id` AND e.`type` = 'ai.response'), 0),
  `tokens_output` = coalesce((SELECT sum(json_extract(`data`, '$.tokens_output')) FROM `events` e WHERE e.`run_id` = `run_index`.`id` AND e.`type` = 'ai.response'), 0),
  `cost_usd` = coalesce((SELECT sum(json_extract(`data`, '$.cost_usd')) FROM `events` e WHERE e.`run_id` = `run_index`.`id` AND e.`type` = 'ai.response'), 0),
  `ai_attempts` = (SELECT count(*) FROM `events` e WHERE e.`run_id` = `run_index`.`id` AND e.`type` = 'ai.response')
WHERE `id` IN (SELECT `id` FROM `runs`);

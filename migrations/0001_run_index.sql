CREATE TABLE `dev_mail` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`step_id` text NOT NULL,
	`kind` text NOT NULL,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`text_body` text NOT NULL,
	`html_body` text NOT NULL,
	`status` text NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dev_mail_created_idx` ON `dev_mail` (`created_at`);--> statement-breakpoint
CREATE TABLE `run_index` (
	`id` text PRIMARY KEY NOT NULL,
	`workflow_id` text NOT NULL,
	`workflow_version` integer NOT NULL,
	`status` text NOT NULL,
	`current_step` text,
	`error` text,
	`wait_step_id` text,
	`wait_type` text,
	`wait_expires_at` integer,
	`version` integer NOT NULL,
	`created_by` text NOT NULL,
	`idempotency_key` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `run_index_created_idx` ON `run_index` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `run_index_workflow_created_idx` ON `run_index` (`workflow_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `run_index_status_created_idx` ON `run_index` (`status`,`created_at`,`id`);--> statement-breakpoint
-- Runs created before their record moved into their Durable Object: their summaries, so lists keep them.
INSERT OR IGNORE INTO `run_index` (`id`, `workflow_id`, `workflow_version`, `status`, `current_step`, `error`, `wait_step_id`, `wait_type`, `wait_expires_at`, `version`, `created_by`, `idempotency_key`, `created_at`, `updated_at`, `finished_at`)
SELECT `id`, `workflow_id`, `workflow_version`, `status`, `current_step`, `error`,
  CASE WHEN `status` = 'waiting' THEN json_extract(`pending`, '$.stepId') END,
  CASE WHEN `status` = 'waiting' THEN json_extract(`pending`, '$.type') END,
  CASE WHEN `status` = 'waiting' THEN json_extract(`pending`, '$.expiresAt') END,
  `version`, `created_by`, `idempotency_key`, `created_at`, `updated_at`, `finished_at`
FROM `runs`;

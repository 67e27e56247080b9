-- Fewer rows written per index write (docs/scaling.md): every index entry is a row D1 counts as
-- written. drizzle-kit generated the shape (meta/0005_snapshot.json); written by hand because drizzle
-- has no WITHOUT ROWID (no second row for a text primary key) and cannot fill the new recipients key.
-- None of these tables has a foreign key, so rebuilding them drops nothing.
-- waits: keyed by the inbox's order, (created_at, wait_id); only open waits have entries in the
-- indexes of open waits (partial), so closing a wait writes its row alone.
CREATE TABLE `__new_waits` (
	`wait_id` text NOT NULL,
	`run_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`step_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`recipients` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`closed_at` integer,
	`version` integer NOT NULL,
	PRIMARY KEY(`created_at`, `wait_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_waits`("wait_id", "run_id", "workflow_id", "step_id", "type", "status", "recipients", "created_at", "expires_at", "closed_at", "version") SELECT "wait_id", "run_id", "workflow_id", "step_id", "type", "status", "recipients", "created_at", "expires_at", "closed_at", "version" FROM `waits`;--> statement-breakpoint
-- wait_recipients: keyed by what the `recipient` filter looks up, so it needs no index of its own.
CREATE TABLE `__new_wait_recipients` (
	`email` text NOT NULL,
	`created_at` integer NOT NULL,
	`wait_id` text NOT NULL,
	PRIMARY KEY(`email`, `created_at`, `wait_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_wait_recipients`("email", "created_at", "wait_id") SELECT r."email", w."created_at", r."wait_id" FROM `wait_recipients` r JOIN `waits` w ON w."wait_id" = r."wait_id";--> statement-breakpoint
DROP TABLE `wait_recipients`;--> statement-breakpoint
ALTER TABLE `__new_wait_recipients` RENAME TO `wait_recipients`;--> statement-breakpoint
DROP TABLE `waits`;--> statement-breakpoint
ALTER TABLE `__new_waits` RENAME TO `waits`;--> statement-breakpoint
CREATE INDEX `waits_open_created_idx` ON `waits` (`created_at`,`wait_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `waits_open_run_idx` ON `waits` (`run_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `waits_workflow_created_idx` ON `waits` (`workflow_id`,`created_at`,`wait_id`);--> statement-breakpoint
-- run_index: the same columns, keyed by the lists' order (created_at, id), so the created index goes.
CREATE TABLE `__new_run_index` (
	`id` text NOT NULL,
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
	`finished_at` integer,
	`tokens_prompt` integer DEFAULT 0 NOT NULL,
	`tokens_output` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`ai_attempts` integer DEFAULT 0 NOT NULL,
	`re_asks` integer DEFAULT 0 NOT NULL,
	`human_fixes` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`created_at`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_run_index`("id", "workflow_id", "workflow_version", "status", "current_step", "error", "wait_step_id", "wait_type", "wait_expires_at", "version", "created_by", "idempotency_key", "created_at", "updated_at", "finished_at", "tokens_prompt", "tokens_output", "cost_usd", "ai_attempts", "re_asks", "human_fixes") SELECT "id", "workflow_id", "workflow_version", "status", "current_step", "error", "wait_step_id", "wait_type", "wait_expires_at", "version", "created_by", "idempotency_key", "created_at", "updated_at", "finished_at", "tokens_prompt", "tokens_output", "cost_usd", "ai_attempts", "re_asks", "human_fixes" FROM `run_index`;--> statement-breakpoint
DROP TABLE `run_index`;--> statement-breakpoint
ALTER TABLE `__new_run_index` RENAME TO `run_index`;--> statement-breakpoint
CREATE INDEX `run_index_workflow_created_idx` ON `run_index` (`workflow_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `run_index_status_created_idx` ON `run_index` (`status`,`created_at`,`id`);

CREATE TABLE `schedules` (
	`workflow_id` text NOT NULL,
	`trigger_index` integer NOT NULL,
	`cron` text NOT NULL,
	`inputs` text NOT NULL,
	`workflow_version` integer NOT NULL,
	`next_due_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`workflow_id`, `trigger_index`)
);
--> statement-breakpoint
CREATE INDEX `schedules_next_due_idx` ON `schedules` (`next_due_at`);
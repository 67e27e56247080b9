CREATE TABLE `wait_recipients` (
	`wait_id` text NOT NULL,
	`email` text NOT NULL,
	PRIMARY KEY(`wait_id`, `email`)
);
--> statement-breakpoint
CREATE INDEX `wait_recipients_email_idx` ON `wait_recipients` (`email`,`wait_id`);--> statement-breakpoint
CREATE TABLE `waits` (
	`wait_id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`step_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`recipients` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`closed_at` integer,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `waits_status_created_idx` ON `waits` (`status`,`created_at`,`wait_id`);--> statement-breakpoint
CREATE INDEX `waits_workflow_status_created_idx` ON `waits` (`workflow_id`,`status`,`created_at`,`wait_id`);--> statement-breakpoint
CREATE INDEX `waits_run_idx` ON `waits` (`run_id`,`status`);
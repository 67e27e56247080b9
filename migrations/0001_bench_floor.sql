CREATE TABLE `bench_floor` (
	`id` text PRIMARY KEY NOT NULL,
	`counter` integer NOT NULL,
	`payload` text NOT NULL,
	`updated_at` integer NOT NULL
);

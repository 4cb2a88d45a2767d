CREATE TABLE `delegations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`delegate_id` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`set_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`ended_at` integer,
	`ended_by` text
);
--> statement-breakpoint
CREATE INDEX `delegations_user` ON `delegations` (`user_id`,`ends_at`);--> statement-breakpoint
CREATE INDEX `delegations_ends` ON `delegations` (`ends_at`);--> statement-breakpoint
CREATE TABLE `holds` (
	`reg_no` text NOT NULL,
	`task_no` integer NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`reg_no`, `task_no`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `holds_user` ON `holds` (`user_id`);--> statement-breakpoint
ALTER TABLE `audit_log` ADD `on_behalf_of` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `step_held` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `hold_json` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `held` integer DEFAULT false NOT NULL;
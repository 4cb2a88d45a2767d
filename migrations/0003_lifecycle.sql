CREATE TABLE `reminders` (
	`key` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`reg_no` text,
	`kind` text NOT NULL,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reminders_user` ON `reminders` (`user_id`);--> statement-breakpoint
ALTER TABLE `audit_log` ADD `task_id` integer;--> statement-breakpoint
ALTER TABLE `card_messages` ADD `kind` text DEFAULT 'project' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `lifecycle_json` text DEFAULT '{}' NOT NULL;
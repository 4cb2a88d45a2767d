CREATE TABLE `documents` (
	`reg_no` text NOT NULL,
	`doc_no` integer NOT NULL,
	`owner_id` text NOT NULL,
	`due_at` integer NOT NULL,
	`link` text,
	`submitted_at` integer,
	`submitted_by` text,
	PRIMARY KEY(`reg_no`, `doc_no`)
);
--> statement-breakpoint
CREATE INDEX `documents_owner` ON `documents` (`owner_id`);--> statement-breakpoint
CREATE INDEX `documents_missing_due` ON `documents` (`due_at`,`reg_no`,`doc_no`) WHERE "documents"."link" is null;--> statement-breakpoint
CREATE TABLE `process_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hash` text NOT NULL,
	`label` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `process_versions_hash_unique` ON `process_versions` (`hash`);--> statement-breakpoint
CREATE TABLE `subflows` (
	`reg_no` text NOT NULL,
	`subflow_no` integer NOT NULL,
	`kind` text NOT NULL,
	`state` text NOT NULL,
	`raised_by` text NOT NULL,
	`answers_json` text DEFAULT '{}' NOT NULL,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	PRIMARY KEY(`reg_no`, `subflow_no`)
);
--> statement-breakpoint
CREATE TABLE `task_holders` (
	`task_id` integer NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`task_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `task_holders_user` ON `task_holders` (`user_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`task_no` integer NOT NULL,
	`def_id` text NOT NULL,
	`subflow_no` integer,
	`role` text,
	`region` text,
	`named` integer DEFAULT false NOT NULL,
	`state` text NOT NULL,
	`answers_json` text DEFAULT '{}' NOT NULL,
	`opened_at` integer NOT NULL,
	`closed_at` integer,
	`closed_by` text,
	`note` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_reg_no_task_no` ON `tasks` (`reg_no`,`task_no`);--> statement-breakpoint
CREATE INDEX `tasks_state_role_region` ON `tasks` (`state`,`role`,`region`,`named`);--> statement-breakpoint
CREATE INDEX `tasks_state_opened` ON `tasks` (`state`,`opened_at`);--> statement-breakpoint
ALTER TABLE `projects` ADD `process_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `operated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `cloud` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `pm_id` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `implementers_json` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `approval_answers_json` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `closed_at` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `step_role` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `step_region` text;--> statement-breakpoint
CREATE INDEX `projects_state` ON `projects` (`state`,`updated_at`);--> statement-breakpoint
CREATE INDEX `projects_submitter_state` ON `projects` (`submitter_id`,`state`);--> statement-breakpoint
CREATE INDEX `projects_step` ON `projects` (`state`,`step_role`,`step_region`);
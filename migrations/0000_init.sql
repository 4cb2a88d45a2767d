CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`round` integer NOT NULL,
	`step_index` integer NOT NULL,
	`role` text NOT NULL,
	`action` text NOT NULL,
	`actor_id` text NOT NULL,
	`actor_name` text NOT NULL,
	`reason` text,
	`platform` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_reg_no` ON `audit_log` (`reg_no`,`id`);--> statement-breakpoint
CREATE TABLE `card_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`platform` text NOT NULL,
	`message_id` text NOT NULL,
	`viewer_id` text,
	`banner` text,
	`rendered_version` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `card_messages_msg` ON `card_messages` (`platform`,`message_id`);--> statement-breakpoint
CREATE INDEX `card_messages_reg` ON `card_messages` (`reg_no`);--> statement-breakpoint
CREATE TABLE `identities` (
	`platform` text NOT NULL,
	`platform_user_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`platform`, `platform_user_id`)
);
--> statement-breakpoint
CREATE INDEX `identities_user` ON `identities` (`user_id`);--> statement-breakpoint
CREATE TABLE `inbound_events` (
	`platform` text NOT NULL,
	`event_id` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `event_id`)
);
--> statement-breakpoint
CREATE TABLE `org_chats` (
	`purpose` text NOT NULL,
	`platform` text NOT NULL,
	`chat_id` text NOT NULL,
	PRIMARY KEY(`purpose`, `platform`, `chat_id`)
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`platform` text NOT NULL,
	`payload_json` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`locked_until` integer,
	`last_error` text,
	`message_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_key_unique` ON `outbox` (`key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reg_no` text NOT NULL,
	`name` text NOT NULL,
	`customer` text NOT NULL,
	`kind` text NOT NULL,
	`region` text NOT NULL,
	`contract_no` text NOT NULL,
	`signed` integer NOT NULL,
	`paid` integer NOT NULL,
	`req_link` text,
	`solution_link` text,
	`form_link` text,
	`submitter_id` text NOT NULL,
	`outsourcing` integer,
	`state` text NOT NULL,
	`round` integer NOT NULL,
	`step_index` integer NOT NULL,
	`chain_json` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_reg_no_unique` ON `projects` (`reg_no`);--> statement-breakpoint
CREATE TABLE `reg_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `regions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `role_members` (
	`role` text NOT NULL,
	`region` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`role`, `region`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);

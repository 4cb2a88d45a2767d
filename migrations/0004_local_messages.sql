CREATE TABLE `local_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation` text NOT NULL,
	`from` text NOT NULL,
	`content_json` text NOT NULL,
	`key` text,
	`at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `local_messages_key_unique` ON `local_messages` (`key`);--> statement-breakpoint
CREATE INDEX `local_messages_at` ON `local_messages` (`at`);
CREATE TABLE `directory_cache` (
	`platform` text NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`platform_user_id` text,
	`status` text NOT NULL,
	`error` text,
	`checked_at` integer NOT NULL,
	PRIMARY KEY(`platform`, `kind`, `value`)
);

CREATE TABLE `platform_state` (
	`platform` text NOT NULL,
	`key` text NOT NULL,
	`value` text NOT NULL,
	`expires_at` integer,
	PRIMARY KEY(`platform`, `key`)
);

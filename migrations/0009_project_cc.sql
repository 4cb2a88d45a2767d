CREATE TABLE `project_cc` (
	`reg_no` text NOT NULL,
	`user_id` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`reg_no`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `project_cc_user` ON `project_cc` (`user_id`);
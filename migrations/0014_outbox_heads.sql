DROP INDEX `outbox_lane`;--> statement-breakpoint
ALTER TABLE `outbox` ADD `head` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows queued before this version: the lowest pending row of each conversation is its head.
UPDATE `outbox` SET `head` = 1 WHERE `status` = 'pending' AND `id` IN (
  SELECT min(`id`) FROM `outbox` WHERE `status` = 'pending' GROUP BY `platform`, `conversation`
);--> statement-breakpoint
CREATE INDEX `outbox_heads` ON `outbox` (`platform`,`lane`,`id`) WHERE "outbox"."status" = 'pending' and "outbox"."head" = 1;

DROP INDEX `outbox_conversation`;--> statement-breakpoint
CREATE INDEX `outbox_pending_conversation` ON `outbox` (`platform`,`conversation`,`id`) WHERE "outbox"."status" = 'pending';
ALTER TABLE `outbox` ADD `conversation` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `outbox` ADD `lane` text DEFAULT 'interactive' NOT NULL;--> statement-breakpoint
CREATE INDEX `outbox_conversation` ON `outbox` (`platform`,`status`,`conversation`,`id`);--> statement-breakpoint
-- Rows queued before this migration: derive their conversation and lane from the payload (as the repo does now).
UPDATE `outbox` SET
  `conversation` = CASE json_extract(`payload_json`, '$.op')
    WHEN 'send' THEN json_extract(`payload_json`, '$.target.kind') || ':' || json_extract(`payload_json`, '$.target.id')
    ELSE 'msg:' || json_extract(`payload_json`, '$.messageId') END,
  `lane` = CASE
    WHEN json_extract(`payload_json`, '$.view.type') IN ('reminder', 'news') THEN 'bulk'
    WHEN json_extract(`payload_json`, '$.op') = 'update' THEN 'interactive'
    WHEN json_extract(`payload_json`, '$.urgent') = 1 THEN 'bulk'
    WHEN json_extract(`payload_json`, '$.view.banner') LIKE '催办%' THEN 'bulk'
    ELSE 'interactive' END
WHERE `conversation` = '';

-- Data migration: every project's `lifecycle_json` (the hard-coded lifecycle up to v0.1) onto the normalized delivery
-- tables, as instances of processes/legacy.yaml (process version 1). `lifecycle_json` itself is left as it was.
-- Old task ids 1..n stay the task numbers (audit_log.task_id keeps pointing at the same instances); the start task
-- (setup / intake) is number 0; added hand-over requests take n+1 (done or skipped) and n+2 (open).
-- Old dates are ISO strings; they become integer milliseconds like the rest of the schema.

-- Version 1 is reserved for processes/legacy.yaml. Its hash and source are filled at start-up by
-- SqliteProcessVersions.adoptLegacy (this migration cannot parse YAML); 'legacy' is the placeholder hash.
INSERT INTO `process_versions` (`id`, `hash`, `label`, `source`, `created_at`)
VALUES (1, 'legacy', '早期内置流程（v0.1）', '', CAST(ROUND(unixepoch('now', 'subsec') * 1000) AS INTEGER));
--> statement-breakpoint
UPDATE `projects` SET
  `pm_id` = json_extract(`lifecycle_json`, '$.pm'),
  `implementers_json` = CASE WHEN json_type(`lifecycle_json`, '$.implementers') = 'array'
    THEN json(`lifecycle_json` -> '$.implementers') ELSE '[]' END,
  `operated` = coalesce(json_extract(`lifecycle_json`, '$.operated'), 0),
  `approval_answers_json` = CASE WHEN `outsourcing` IS NULL THEN '{}'
    ELSE json_object('commercial_reviewer', json_object('outsourcing', json(CASE WHEN `outsourcing` THEN 'true' ELSE 'false' END)))
  END,
  `closed_at` = CAST(ROUND(unixepoch(json_extract(`lifecycle_json`, '$.closedAt'), 'subsec') * 1000) AS INTEGER),
  `step_role` = CASE WHEN `state` = 'in_approval' THEN json_extract(`chain_json`, '$[' || `step_index` || '].role') END,
  `step_region` = CASE WHEN `state` = 'in_approval'
    THEN coalesce(json_extract(`chain_json`, '$[' || `step_index` || '].region'), '*') END;
--> statement-breakpoint
-- The old tasks, numbers kept; who closed them and the rejection reason come from the audit log.
INSERT INTO `tasks` (`reg_no`, `task_no`, `def_id`, `subflow_no`, `role`, `region`, `named`, `state`, `answers_json`,
  `opened_at`, `closed_at`, `closed_by`, `note`)
SELECT
  p.`reg_no`,
  json_extract(t.value, '$.id'),
  json_extract(t.value, '$.kind'),
  NULL,
  json_extract(t.value, '$.role'),
  coalesce(json_extract(t.value, '$.region'), '*'),
  coalesce(json_type(t.value, '$.users') = 'array', 0),
  json_extract(t.value, '$.state'),
  CASE WHEN json_extract(t.value, '$.state') <> 'done' THEN '{}'
    ELSE CASE json_extract(t.value, '$.kind')
      WHEN 'requirements' THEN json_patch('{}', json_object(
        'link', json_extract(p.`lifecycle_json`, '$.requirements.link'),
        'customization', json_extract(p.`lifecycle_json`, '$.requirements.customization'),
        'detail', json_extract(p.`lifecycle_json`, '$.requirements.detail')))
      WHEN 'pickup' THEN json_patch('{}', json_object(
        'svn', json_extract(p.`lifecycle_json`, '$.pickup.svn'), 'regno', p.`reg_no`))
      WHEN 'pickup_issue' THEN json_patch('{}', json_object(
        'standard', json_extract(p.`lifecycle_json`, '$.pickup.standard'),
        'custom', json_extract(p.`lifecycle_json`, '$.pickup.custom'),
        'licence', json_extract(p.`lifecycle_json`, '$.pickup.licence')))
      WHEN 'assign' THEN json_object('implementers', json(coalesce(p.`lifecycle_json` -> '$.implementers', '[]')))
      WHEN 'integration_setup' THEN json_patch('{}', json_object('pm', json_extract(p.`lifecycle_json`, '$.pm')))
      ELSE '{}' END
  END,
  coalesce(CAST(ROUND(unixepoch(json_extract(t.value, '$.openedAt'), 'subsec') * 1000) AS INTEGER), p.`created_at`),
  CAST(ROUND(unixepoch(json_extract(t.value, '$.closedAt'), 'subsec') * 1000) AS INTEGER),
  (SELECT a.`actor_id` FROM `audit_log` a WHERE a.`reg_no` = p.`reg_no` AND a.`task_id` = json_extract(t.value, '$.id')
    AND a.`action` IN ('approve', 'reject', 'submit') ORDER BY a.`id` DESC LIMIT 1),
  (SELECT a.`reason` FROM `audit_log` a WHERE a.`reg_no` = p.`reg_no` AND a.`task_id` = json_extract(t.value, '$.id')
    AND a.`action` IN ('approve', 'reject', 'submit') ORDER BY a.`id` DESC LIMIT 1)
FROM `projects` p, json_each(p.`lifecycle_json`, '$.tasks') t
WHERE json_type(p.`lifecycle_json`, '$.tasks') = 'array';
--> statement-breakpoint
INSERT OR IGNORE INTO `task_holders` (`task_id`, `user_id`)
SELECT k.`id`, u.value
FROM `projects` p, json_each(p.`lifecycle_json`, '$.tasks') t, json_each(t.value, '$.users') u
JOIN `tasks` k ON k.`reg_no` = p.`reg_no` AND k.`task_no` = json_extract(t.value, '$.id')
WHERE json_type(p.`lifecycle_json`, '$.tasks') = 'array' AND json_type(t.value, '$.users') = 'array' AND u.type = 'text';
--> statement-breakpoint
-- The start task (the executing department's acceptance, the chain's last approval) as a done instance number 0.
WITH acc AS (
  SELECT p.`reg_no`, p.`kind`, p.`lifecycle_json` AS l, p.`created_at`,
    (SELECT a.`id` FROM `audit_log` a WHERE a.`reg_no` = p.`reg_no` AND a.`task_id` IS NULL AND a.`action` = 'approve'
      ORDER BY a.`id` DESC LIMIT 1) AS aid
  FROM `projects` p WHERE p.`state` IN ('accepted', 'closed')
)
INSERT INTO `tasks` (`reg_no`, `task_no`, `def_id`, `subflow_no`, `role`, `region`, `named`, `state`, `answers_json`,
  `opened_at`, `closed_at`, `closed_by`, `note`)
SELECT
  acc.`reg_no`, 0,
  CASE acc.`kind` WHEN 'saas' THEN 'intake' ELSE 'setup' END,
  NULL,
  CASE acc.`kind` WHEN 'saas' THEN 'customer_success' ELSE 'project_director' END,
  '*', 0, 'done',
  CASE acc.`kind`
    WHEN 'saas' THEN json_patch('{}', json_object('integration', json(acc.l -> '$.integration')))
    ELSE json_patch('{}', json_object(
      'pm', json_extract(acc.l, '$.pm'),
      'feasibility', json_extract(acc.l, '$.setupNotes.feasibility'),
      'risk', json_extract(acc.l, '$.setupNotes.risk')))
  END,
  coalesce(
    (SELECT a.`at` FROM `audit_log` a WHERE a.`reg_no` = acc.`reg_no` AND a.`task_id` IS NULL AND a.`id` < acc.aid
      AND a.`action` IN ('register', 'approve', 'resubmit') ORDER BY a.`id` DESC LIMIT 1),
    (SELECT a.`at` FROM `audit_log` a WHERE a.`id` = acc.aid),
    acc.`created_at`),
  coalesce((SELECT a.`at` FROM `audit_log` a WHERE a.`id` = acc.aid), acc.`created_at`),
  (SELECT a.`actor_id` FROM `audit_log` a WHERE a.`id` = acc.aid),
  (SELECT a.`reason` FROM `audit_log` a WHERE a.`id` = acc.aid)
FROM acc;
--> statement-breakpoint
-- A hand-over was requested (a handover_cs or handover task exists): a done handover_request instance, number n+1,
-- with the answer `operated`. A SaaS project without integration went straight to after-sales with nobody
-- requesting: its handover_request is `skipped` (so the hand-over's needs hold).
INSERT INTO `tasks` (`reg_no`, `task_no`, `def_id`, `subflow_no`, `role`, `region`, `named`, `state`, `answers_json`,
  `opened_at`, `closed_at`, `closed_by`, `note`)
SELECT
  p.`reg_no`,
  (SELECT max(k.`task_no`) FROM `tasks` k WHERE k.`reg_no` = p.`reg_no`) + 1,
  'handover_request', NULL, 'implementer', '*', 1,
  CASE WHEN json_array_length(p.`implementers_json`) > 0 THEN 'done' ELSE 'skipped' END,
  CASE WHEN json_array_length(p.`implementers_json`) > 0
    THEN json_object('operated', json(CASE WHEN p.`operated` THEN 'true' ELSE 'false' END)) ELSE '{}' END,
  h.`at`, h.`at`,
  CASE WHEN json_array_length(p.`implementers_json`) > 0 THEN coalesce(h.`actor_id`, json_extract(p.`implementers_json`, '$[0]')) END,
  NULL
FROM `projects` p
JOIN (
  SELECT k.`reg_no`,
    coalesce(
      (SELECT a.`at` FROM `audit_log` a WHERE a.`reg_no` = k.`reg_no` AND a.`action` = 'handover' ORDER BY a.`id` DESC LIMIT 1),
      min(k.`opened_at`)) AS `at`,
    (SELECT a.`actor_id` FROM `audit_log` a WHERE a.`reg_no` = k.`reg_no` AND a.`action` = 'handover'
      ORDER BY a.`id` DESC LIMIT 1) AS `actor_id`
  FROM `tasks` k WHERE k.`def_id` IN ('handover_cs', 'handover') GROUP BY k.`reg_no`
) h ON h.`reg_no` = p.`reg_no`;
--> statement-breakpoint
-- Implementers assigned, project in delivery, no hand-over pending: legacy.yaml lets them request it now (and again
-- after a rejected hand-over): an open handover_request held by the implementers.
INSERT INTO `tasks` (`reg_no`, `task_no`, `def_id`, `subflow_no`, `role`, `region`, `named`, `state`, `answers_json`,
  `opened_at`, `closed_at`, `closed_by`, `note`)
SELECT
  p.`reg_no`,
  (SELECT max(k.`task_no`) FROM `tasks` k WHERE k.`reg_no` = p.`reg_no`) + 1,
  'handover_request', NULL, 'implementer', '*', 1, 'open', '{}',
  coalesce(
    (SELECT max(k.`closed_at`) FROM `tasks` k WHERE k.`reg_no` = p.`reg_no`
      AND k.`def_id` IN ('assign', 'handover_cs', 'handover')),
    p.`updated_at`),
  NULL, NULL, NULL
FROM `projects` p
WHERE p.`state` = 'accepted' AND json_array_length(p.`implementers_json`) > 0
  AND NOT EXISTS (SELECT 1 FROM `tasks` k WHERE k.`reg_no` = p.`reg_no` AND k.`state` = 'open'
    AND k.`def_id` IN ('handover_cs', 'handover', 'handover_request'));
--> statement-breakpoint
INSERT OR IGNORE INTO `task_holders` (`task_id`, `user_id`)
SELECT k.`id`, i.value
FROM `tasks` k JOIN `projects` p ON p.`reg_no` = k.`reg_no`, json_each(p.`implementers_json`) i
WHERE k.`def_id` = 'handover_request';
--> statement-breakpoint
-- The seven acceptance documents; who submitted one comes from its audit line (or, for 产品领取单 filled by the
-- product issue, from whoever issued the products).
INSERT INTO `documents` (`reg_no`, `doc_no`, `owner_id`, `due_at`, `link`, `submitted_at`, `submitted_by`)
SELECT
  p.`reg_no`,
  CAST(d.key AS INTEGER),
  coalesce(json_extract(d.value, '$.owner'), json_extract(p.`implementers_json`, '$[0]'), ''),
  coalesce(CAST(ROUND(unixepoch(json_extract(d.value, '$.due'), 'subsec') * 1000) AS INTEGER), p.`created_at`),
  json_extract(d.value, '$.link'),
  CAST(ROUND(unixepoch(json_extract(d.value, '$.submittedAt'), 'subsec') * 1000) AS INTEGER),
  CASE WHEN json_extract(d.value, '$.link') IS NOT NULL THEN coalesce(
    (SELECT a.`actor_id` FROM `audit_log` a WHERE a.`reg_no` = p.`reg_no` AND a.`action` = 'doc'
      AND a.`reason` = json_extract('["产品领取单","客户服务单","用户验收报告","项目实施方案","新增需求清单","项目问题处理汇总表","实施基本信息登记表"]',
        '$[' || (CAST(d.key AS INTEGER) - 1) || ']') || '：' || json_extract(d.value, '$.link')
      ORDER BY a.`id` DESC LIMIT 1),
    CASE WHEN d.key = '1' THEN (SELECT k.`closed_by` FROM `tasks` k WHERE k.`reg_no` = p.`reg_no`
      AND k.`def_id` = 'pickup_issue' AND k.`state` = 'done' ORDER BY k.`task_no` DESC LIMIT 1) END) END
FROM `projects` p, json_each(p.`lifecycle_json`, '$.documents') d
WHERE json_type(p.`lifecycle_json`, '$.documents') = 'object';

/*---
materialized: incremental
schema: grade
unique_key: [day, has_task, task]
primary_key: [day, has_task, task]
watermark: _seq
contract:
  day: date not null
  has_task: boolean not null
  task: varchar not null
  attempts: bigint not null
  submits: bigint not null
  correct_submits: bigint not null
  users: bigint not null
tags: [grade, daily]
description: >-
  The per-day, per-task counts behind grade.daily_task_summary. Incremental like daily_stats: each
  day touched by newly landed records is recomputed whole from lms_grade_statistics and merged on
  (day, has_task, task). A task that no longer has attempts on a recomputed day (its only attempt
  was landed again with another task) is kept with zero counts, since a merge cannot delete;
  the view leaves those rows out.
columns:
  day: {description: "The UTC date of created_at", tests: [not_null]}
  has_task: {description: "false for the attempts without a lis_result_sourcedid (a key column cannot be NULL)"}
  task: {description: "lis_result_sourcedid; empty text when has_task is false"}
  attempts: {description: "Attempts on the task that day (0: no longer any; left out by the view)"}
  submits: {description: "Submits on the task that day"}
  correct_submits: {description: "Submits with is_correct = 1"}
  users: {description: "Distinct users with an attempt on the task that day"}
tests:
  - expression: "correct_submits <= submits AND submits <= attempts AND users <= attempts"
  - expression: "has_task OR task = ''"
---*/
WITH
{{#if is_incremental}}
{{> touched_days}}
day_rows AS (
  SELECT t.day, g.user_id, g.lis_result_sourcedid, g.is_correct, g.attempt_type
  FROM touched AS t
  JOIN {{ref "lms_grade_statistics"}} AS g ON g.created_at >= t.day AND g.created_at < t.day + 1
  WHERE t.day IS NOT NULL
),
{{else}}
day_rows AS (
  SELECT created_at::date AS day, user_id, lis_result_sourcedid, is_correct, attempt_type
  FROM {{ref "lms_grade_statistics"}}
),
{{/if}}
fresh AS (
  SELECT
    day,
    lis_result_sourcedid IS NOT NULL AS has_task,
    coalesce(lis_result_sourcedid, '') AS task,
    count(*) AS attempts,
    count(*) FILTER (WHERE attempt_type = 'submit') AS submits,
    count(*) FILTER (WHERE attempt_type = 'submit' AND is_correct = 1) AS correct_submits,
    count(DISTINCT user_id) AS users
  FROM day_rows
  GROUP BY 1, 2, 3
)
{{#if is_incremental}}
SELECT f.day, f.has_task, f.task, f.attempts, f.submits, f.correct_submits, f.users, t._seq
FROM fresh AS f
JOIN touched AS t ON t.day = f.day
UNION ALL
-- Tasks stored for a touched day that the day no longer has: zero counts. OFFSET 0 keeps the
-- subquery a probe of the primary key per touched day; flattened into a join, the planner (which
-- guesses 200 touched days) sorts the whole table instead.
SELECT o.day, o.has_task, o.task, 0, 0, 0, 0, t._seq
FROM touched AS t
CROSS JOIN LATERAL (
  SELECT s.day, s.has_task, s.task FROM {{this}} AS s WHERE s.day = t.day AND s.attempts > 0 OFFSET 0
) AS o
WHERE NOT EXISTS (SELECT 1 FROM fresh AS f WHERE f.day = o.day AND f.has_task = o.has_task AND f.task = o.task)
{{else}}
SELECT
  day, has_task, task, attempts, submits, correct_submits, users,
  {{> grade_watermark}} AS _seq
FROM fresh
{{/if}}

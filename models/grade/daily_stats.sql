/*---
materialized: incremental
schema: grade
unique_key: day
primary_key: day
watermark: _seq
contract:
  day: date not null
  attempts: bigint not null
  runs: bigint not null
  submits: bigint not null
  correct_submits: bigint not null
  unique_users: bigint not null
  users_with_success: bigint not null
  submit_users: bigint not null
  first_submit_correct_users: bigint not null
  peak_hour: integer not null
tags: [grade, daily]
description: >-
  The per-day counts behind grade.daily_summary: one row per UTC day with attempts in
  lms_grade_statistics. Incremental: the days touched are the UTC dates of the records landed since
  the last build (up to what lms_grade_statistics has merged); each is recomputed whole from the
  grade table's rows of that day (its created_at index), and merged on day. Rates are derived in the
  view; new_users comes from user_first_seen.
columns:
  day: {description: "The UTC date of created_at", tests: [not_null, unique]}
  attempts: {description: "Attempts that day (runs + submits)"}
  runs: {description: "Attempts with attempt_type = 'run'"}
  submits: {description: "Attempts with attempt_type = 'submit'"}
  correct_submits: {description: "Submits with is_correct = 1"}
  unique_users: {description: "Distinct users with an attempt that day"}
  users_with_success: {description: "Distinct users with at least one correct submit that day"}
  submit_users: {description: "Distinct users with a submit that day"}
  first_submit_correct_users: {description: "Users whose first submit that day was correct"}
  peak_hour: {description: "The UTC hour (0-23) with the most attempts; the earliest such hour on a tie"}
tests:
  - expression: "runs + submits = attempts AND correct_submits <= submits"
  - expression: "first_submit_correct_users <= submit_users AND submit_users <= unique_users"
---*/
WITH
{{#if is_incremental}}
{{> touched_days}}
-- Every grade row of each touched day, by the created_at index.
day_rows AS (
  SELECT t.day, g.user_id, g.is_correct, g.attempt_type, g.created_at
  FROM touched AS t
  JOIN {{ref "lms_grade_statistics"}} AS g ON g.created_at >= t.day AND g.created_at < t.day + 1
  WHERE t.day IS NOT NULL
),
{{else}}
touched AS (
  SELECT NULL::date AS day,
    {{> grade_watermark}} AS _seq
),
day_rows AS (
  SELECT created_at::date AS day, user_id, is_correct, attempt_type, created_at
  FROM {{ref "lms_grade_statistics"}}
),
{{/if}}
totals AS (
  SELECT
    day,
    count(*) AS attempts,
    count(*) FILTER (WHERE attempt_type = 'run') AS runs,
    count(*) FILTER (WHERE attempt_type = 'submit') AS submits,
    count(*) FILTER (WHERE attempt_type = 'submit' AND is_correct = 1) AS correct_submits,
    count(DISTINCT user_id) AS unique_users,
    count(DISTINCT user_id) FILTER (WHERE attempt_type = 'submit' AND is_correct = 1) AS users_with_success
  FROM day_rows
  GROUP BY day
),
-- Each user's first submit of the day decides.
first_submits AS (
  SELECT day, count(*) AS submit_users, count(*) FILTER (WHERE is_correct = 1) AS first_submit_correct_users
  FROM (
    SELECT DISTINCT ON (day, user_id) day, is_correct
    FROM day_rows
    WHERE attempt_type = 'submit'
    ORDER BY day, user_id, created_at
  ) AS firsts
  GROUP BY day
),
peaks AS (
  SELECT DISTINCT ON (day) day, hour AS peak_hour
  FROM (
    SELECT day, extract(hour FROM created_at)::int AS hour, count(*) AS n
    FROM day_rows
    GROUP BY 1, 2
  ) AS by_hour
  ORDER BY day, n DESC, hour
)
SELECT
  d.day,
  d.attempts,
  d.runs,
  d.submits,
  d.correct_submits,
  d.unique_users,
  d.users_with_success,
  coalesce(f.submit_users, 0) AS submit_users,
  coalesce(f.first_submit_correct_users, 0) AS first_submit_correct_users,
  p.peak_hour,
{{#if is_incremental}}
  t._seq
FROM totals AS d
JOIN touched AS t ON t.day = d.day
{{else}}
  (SELECT _seq FROM touched) AS _seq
FROM totals AS d
{{/if}}
LEFT JOIN first_submits AS f ON f.day = d.day
LEFT JOIN peaks AS p ON p.day = d.day

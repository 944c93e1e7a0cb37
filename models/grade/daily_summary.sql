/*---
materialized: view
schema: grade
tags: [grade, daily]
description: >-
  One row per UTC day (the date of created_at) with attempts in grade.lms_grade_statistics: what
  `elt export` sends to Google Sheets and by email. A view: always current, computed when read.
columns:
  day: {description: "The UTC date of created_at", tests: [not_null, unique]}
  attempts: {description: "Attempts that day (runs + submits)"}
  runs: {description: "Attempts with attempt_type = 'run'"}
  submits: {description: "Attempts with attempt_type = 'submit'"}
  correct_submits: {description: "Submits with is_correct = 1"}
  success_rate: {description: "correct_submits / submits, numeric rounded to 4 places; NULL when there were no submits"}
  unique_users: {description: "Distinct users with an attempt that day"}
  users_with_success: {description: "Distinct users with at least one correct submit that day"}
  avg_attempts_per_user: {description: "attempts / unique_users, numeric rounded to 2 places"}
  first_submit_success_rate: {description: "Share of the day's submitting users whose first submit that day was correct, rounded to 4 places; NULL when nobody submitted"}
  peak_hour: {description: "The UTC hour (0-23) with the most attempts; the earliest such hour on a tie"}
  new_users: {description: "Users whose first attempt ever (in lms_grade_statistics) was that day"}
tests:
  - expression: "runs + submits = attempts"
  - expression: "correct_submits <= submits"
  - expression: "success_rate BETWEEN 0 AND 1"
  - expression: "first_submit_success_rate BETWEEN 0 AND 1"
  - expression: "users_with_success <= unique_users AND new_users <= unique_users"
  - expression: "peak_hour BETWEEN 0 AND 23"
---*/
SELECT
  d.day,
  d.attempts,
  d.runs,
  d.submits,
  d.correct_submits,
  round(d.correct_submits::numeric / nullif(d.submits, 0), 4) AS success_rate,
  d.unique_users,
  d.users_with_success,
  round(d.attempts::numeric / d.unique_users, 2) AS avg_attempts_per_user,
  f.first_submit_success_rate,
  h.peak_hour,
  coalesce(n.new_users, 0) AS new_users
FROM (
  SELECT
    created_at::date AS day,
    count(*) AS attempts,
    count(*) FILTER (WHERE attempt_type = 'run') AS runs,
    count(*) FILTER (WHERE attempt_type = 'submit') AS submits,
    count(*) FILTER (WHERE attempt_type = 'submit' AND is_correct = 1) AS correct_submits,
    count(DISTINCT user_id) AS unique_users,
    count(DISTINCT user_id) FILTER (WHERE attempt_type = 'submit' AND is_correct = 1) AS users_with_success
  FROM {{ref "lms_grade_statistics"}}
  GROUP BY 1
) AS d
LEFT JOIN (
  -- Each user's first submit of the day decides.
  SELECT day, round(avg(CASE WHEN is_correct = 1 THEN 1 ELSE 0 END), 4) AS first_submit_success_rate
  FROM (
    SELECT DISTINCT ON (created_at::date, user_id) created_at::date AS day, is_correct
    FROM {{ref "lms_grade_statistics"}}
    WHERE attempt_type = 'submit'
    ORDER BY created_at::date, user_id, created_at
  ) AS first_submits
  GROUP BY day
) AS f ON f.day = d.day
LEFT JOIN (
  SELECT DISTINCT ON (day) day, hour AS peak_hour
  FROM (
    SELECT created_at::date AS day, extract(hour FROM created_at)::int AS hour, count(*) AS n
    FROM {{ref "lms_grade_statistics"}}
    GROUP BY 1, 2
  ) AS by_hour
  ORDER BY day, n DESC, hour
) AS h ON h.day = d.day
LEFT JOIN (
  SELECT first_day AS day, count(*) AS new_users
  FROM (SELECT min(created_at)::date AS first_day FROM {{ref "lms_grade_statistics"}} GROUP BY user_id) AS firsts
  GROUP BY first_day
) AS n ON n.day = d.day

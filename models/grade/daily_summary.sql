/*---
materialized: view
schema: grade
tags: [grade, daily]
description: >-
  One row per UTC day (the date of created_at) with attempts in grade.lms_grade_statistics: what
  `elt export` sends to Google Sheets and by email. A view over the incremental daily_stats (counts)
  and user_first_seen (new_users), so a read of a few days costs those days, not the history.
columns:
  day: {description: "The UTC date of created_at", tests: [not_null, unique], label: {ru: Дата, en: Date}, format: date}
  attempts: {description: "Attempts that day (runs + submits)", label: {ru: Попыток, en: Attempts}, format: integer}
  runs: {description: "Attempts with attempt_type = 'run'", label: {ru: Запусков, en: Runs}, format: integer}
  submits: {description: "Attempts with attempt_type = 'submit'", label: {ru: Отправок, en: Submits}, format: integer}
  correct_submits: {description: "Submits with is_correct = 1", label: {ru: Успешных, en: Correct submits}, format: integer}
  success_rate: {description: "correct_submits / submits, numeric rounded to 4 places; NULL when there were no submits", label: {ru: Доля успешных, en: Success rate}, format: percent}
  unique_users: {description: "Distinct users with an attempt that day", label: {ru: Уникальных пользователей, en: Unique users}, format: integer}
  users_with_success: {description: "Distinct users with at least one correct submit that day", label: {ru: Пользователей с успехом, en: Users with success}, format: integer}
  avg_attempts_per_user: {description: "attempts / unique_users, numeric rounded to 2 places", label: {ru: Попыток на пользователя, en: Attempts per user}, format: "decimal:2"}
  first_submit_success_rate: {description: "Share of the day's submitting users whose first submit that day was correct, rounded to 4 places; NULL when nobody submitted", label: {ru: Успех с первой отправки, en: First-submit success rate}, format: percent}
  peak_hour: {description: "The UTC hour (0-23) with the most attempts; the earliest such hour on a tie", label: {ru: Пиковый час (UTC), en: Peak hour (UTC)}, format: hour}
  new_users: {description: "Users whose first attempt ever (in lms_grade_statistics) was that day", label: {ru: Новых пользователей, en: New users}, format: integer}
tests:
  - expression: "runs + submits = attempts"
  - expression: "correct_submits <= submits"
  - expression: "success_rate BETWEEN 0 AND 1"
  - expression: "first_submit_success_rate BETWEEN 0 AND 1"
  - expression: "users_with_success <= unique_users AND new_users <= unique_users"
  - expression: "peak_hour BETWEEN 0 AND 23"
---*/
SELECT
  s.day,
  s.attempts,
  s.runs,
  s.submits,
  s.correct_submits,
  round(s.correct_submits::numeric / nullif(s.submits, 0), 4) AS success_rate,
  s.unique_users,
  s.users_with_success,
  round(s.attempts::numeric / s.unique_users, 2) AS avg_attempts_per_user,
  round(s.first_submit_correct_users::numeric / nullif(s.submit_users, 0), 4) AS first_submit_success_rate,
  s.peak_hour,
  -- Counted when read (an index range on first_seen_at): a late record that moves a user's first
  -- day earlier changes two days, and both are right without either being rebuilt.
  (
    SELECT count(*)
    FROM {{ref "user_first_seen"}} AS u
    WHERE u.first_seen_at >= s.day AND u.first_seen_at < s.day + 1
  ) AS new_users
FROM {{ref "daily_stats"}} AS s

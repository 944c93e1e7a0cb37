/*---
materialized: view
schema: grade
tags: [grade, daily]
description: >-
  One row per UTC day and task (lis_result_sourcedid) in grade.lms_grade_statistics. Attempts whose
  record had no lis_result_sourcedid form one row with a NULL task. A view over the incremental
  daily_task_stats, so a read costs the days it reads, not the history.
columns:
  day: {description: "The UTC date of created_at", tests: [not_null]}
  lis_result_sourcedid: {description: "The task (course, block and user, as the LMS names the result)"}
  attempts: {description: "Attempts on the task that day"}
  submits: {description: "Submits on the task that day"}
  correct_submits: {description: "Submits with is_correct = 1"}
  success_rate: {description: "correct_submits / submits, rounded to 4 places; NULL when no submits"}
  users: {description: "Distinct users with an attempt on the task that day"}
tests:
  - unique: [day, lis_result_sourcedid]
  - expression: "correct_submits <= submits AND submits <= attempts"
  - expression: "success_rate BETWEEN 0 AND 1"
---*/
SELECT
  day,
  CASE WHEN has_task THEN task END AS lis_result_sourcedid,
  attempts,
  submits,
  correct_submits,
  round(correct_submits::numeric / nullif(submits, 0), 4) AS success_rate,
  users
FROM {{ref "daily_task_stats"}}
-- Tasks a recomputed day no longer has are kept with zero counts (a merge cannot delete).
WHERE attempts > 0

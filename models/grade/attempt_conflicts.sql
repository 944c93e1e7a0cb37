/*---
materialized: view
schema: grade
description: >-
  Every time the API sent an attempt (same lti_user_id and created_at) with content different from
  the version landed before (conflict_id grows with time): which fields changed, from what to what, and when it was
  noticed. The version sent last is the one in lms_grade_statistics (when it is valid). A flipped
  is_correct changes a student's grade: this is where to see it.
columns:
  conflict_id: {description: "raw.api_conflicts.id", tests: [not_null, unique]}
  detected_at: {description: "When the landing noticed the change"}
  load_id: {description: "The load (elt.loads.id) whose answer carried the new version"}
  user_id: {description: "lti_user_id of the attempt"}
  created_at: {description: "created_at of the attempt (UTC); NULL when it is not a valid time"}
  changed_fields: {description: "The fields whose values differ, sorted"}
  old_is_correct: {description: "is_correct before (as sent: 0, 1, true, false or null)"}
  new_is_correct: {description: "is_correct after"}
  changes: {description: "Every changed field as {field: [old, new]}"}
  old_raw_id: {description: "raw.api_attempts.id of the version before"}
  new_raw_id: {description: "raw.api_attempts.id of the version after"}
---*/
SELECT
  c.id AS conflict_id,
  c.detected_at,
  c.load_id,
  c.record_key ->> 'lti_user_id' AS user_id,
  elt.parse_api_timestamp(c.record_key ->> 'created_at') AS created_at,
  ARRAY(SELECT f FROM jsonb_object_keys(c.changes) AS f ORDER BY f) AS changed_fields,
  c.changes -> 'is_correct' -> 0 AS old_is_correct,
  c.changes -> 'is_correct' -> 1 AS new_is_correct,
  c.changes,
  c.old_raw_id,
  c.new_raw_id
FROM {{source "raw" "api_conflicts"}} AS c

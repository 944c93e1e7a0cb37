/*---
materialized: incremental
schema: grade
unique_key: user_id
primary_key: user_id
watermark: _seq
contract:
  user_id: varchar not null
  first_seen_at: timestamp not null
indexes: [{columns: [first_seen_at]}]
tags: [grade, daily]
description: >-
  One row per user of lms_grade_statistics: the time of their first attempt there (what
  daily_summary.new_users counts by day). Incremental: the users named by the records landed since
  the last build (and already merged into lms_grade_statistics) get min(created_at) recomputed from the
  grade table, one primary-key lookup each; a late record can only move first_seen_at earlier.
columns:
  user_id: {description: "The student (lms_grade_statistics.user_id)", tests: [not_null, unique]}
  first_seen_at: {description: "min(created_at) of the user's rows in lms_grade_statistics (UTC)", tests: [not_null]}
---*/
{{#if is_incremental}}
-- Users named by the records landed after this model's watermark, up to the grade table's own
-- watermark (records it has merged already), so a build of this model alone never skips a record.
SELECT u.user_id, f.first_seen_at, u._seq
FROM (
  SELECT r.record ->> 'lti_user_id' AS user_id, max(r.seq) AS _seq
  FROM {{source "raw" "api_attempts"}} AS r
  WHERE r.seq > {{watermark}}
    AND r.seq <= {{> grade_watermark}}
    AND jsonb_typeof(r.record -> 'lti_user_id') = 'string'
  GROUP BY 1
) AS u
-- The whole minimum again, not least(old, new): the (user_id, created_at) key makes it one index probe.
CROSS JOIN LATERAL (
  SELECT min(g.created_at) AS first_seen_at FROM {{ref "lms_grade_statistics"}} AS g WHERE g.user_id = u.user_id
) AS f
WHERE f.first_seen_at IS NOT NULL
{{else}}
SELECT
  user_id,
  min(created_at) AS first_seen_at,
  {{> grade_watermark}} AS _seq
FROM {{ref "lms_grade_statistics"}}
GROUP BY user_id
{{/if}}

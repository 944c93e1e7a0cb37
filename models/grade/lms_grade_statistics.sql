/*---
materialized: incremental
schema: grade
unique_key: [user_id, created_at]
primary_key: [user_id, created_at]
watermark: _seq
watermark_source: staging.stg_attempts._seq
contract:
  user_id: varchar not null
  oauth_consumer_key: varchar not null
  lis_result_sourcedid: varchar
  lis_outcome_service_url: varchar
  is_correct: int
  attempt_type: varchar not null
  created_at: timestamp not null
indexes: [{columns: [created_at]}]
tags: [grade]
description: >-
  The task's table: one row per valid attempt, keyed by (user_id, created_at). Incremental: each
  build reads only the typed records of stg_attempts sent after the last one it saw (watermark
  _seq, raw seq, kept in elt.model_state, not stored here) and merges them on the key. When the
  same key arrives more than once, the version the API sent last wins, within a batch (DISTINCT ON
  ... ORDER BY _seq DESC) and across batches (ON CONFLICT DO UPDATE); a re-send of an older version
  takes a new seq at landing, is typed again by stg_attempts, so it wins again. Each change is kept
  in raw.api_conflicts (see attempt_conflicts). Records with a reject_reason go to
  lms_grade_quarantine.
columns:
  user_id: {description: "The student (lti_user_id, 32 hex characters in practice)", tests: [not_null]}
  oauth_consumer_key: {description: "From passback_params (so far always empty text)", tests: [not_null]}
  lis_result_sourcedid: {description: "The task: course-v1:<org>+<course>+<run>:lms...-<block id>:<user>; NULL when the record had none"}
  lis_outcome_service_url: {description: "The LMS grade handler URL; NULL when the record had none"}
  is_correct: {description: "1 correct, 0 wrong for a submit; NULL for a run", tests: [{accepted_values: {values: [0, 1]}}]}
  attempt_type: {description: "run (code executed) or submit (answer checked)", tests: [not_null, {accepted_values: {values: [run, submit]}}]}
  created_at: {description: "When the attempt was made (UTC, no zone)", tests: [not_null]}
tests:
  - unique: [user_id, created_at]
  - expression: "(attempt_type = 'run' AND is_correct IS NULL) OR (attempt_type = 'submit' AND is_correct IN (0, 1))"
---*/
SELECT DISTINCT ON (user_id, created_at)
  user_id,
  oauth_consumer_key,
  lis_result_sourcedid,
  lis_outcome_service_url,
  is_correct,
  attempt_type,
  created_at,
  _seq
FROM {{ref "stg_attempts"}}
WHERE reject_reason IS NULL
{{#if is_incremental}}  AND _seq > {{watermark}}
{{/if}}ORDER BY user_id, created_at, _seq DESC

/*---
materialized: incremental
schema: grade
unique_key: raw_id
primary_key: raw_id
watermark: _seq
watermark_source: staging.stg_attempts._seq
contract:
  raw_id: bigint not null
  load_id: bigint not null
  reason: text not null
  record: jsonb not null
  created_at_text: text
  landed_at: timestamptz not null
  quarantined_at: timestamptz not null
indexes: [{columns: [load_id]}]
tags: [grade]
description: >-
  Every landed record that could not go to lms_grade_statistics, with the reason and the record as
  sent; nothing is dropped silently: landed = loaded + quarantined + duplicates (keys landed again,
  where the latest version wins). Incremental on stg_attempts._seq (raw seq) like the grade table,
  merged on raw_id (a re-sent record is merged again, not duplicated); the record, its created_at
  text and landed_at are read from raw by id for these few rows, not kept twice in staging.
  Elements that never became records (not objects, not storable) are in raw.api_rejects instead.
columns:
  raw_id: {description: "raw.api_attempts.id", tests: [not_null, unique]}
  load_id: {description: "The extract run (raw.api_attempts.load_id) that landed it", tests: [not_null]}
  reason:
    description: "Why it was rejected: one of the codes in docs/models.md"
    tests:
      - not_null
      - accepted_values:
          values: [bad_record, missing_user_id, bad_user_id, missing_created_at, bad_created_at,
                   bad_attempt_type, bad_is_correct, is_correct_on_run, submit_without_is_correct,
                   missing_passback, bad_passback, missing_oauth_consumer_key, value_too_long]
  record: {description: "The record exactly as the API sent it", tests: [not_null]}
  created_at_text: {description: "Its created_at as sent, when that was a string"}
  landed_at: {description: "When the record was landed"}
  quarantined_at: {description: "When a model build put it here (a --full-refresh sets it anew)"}
---*/
SELECT
  s._raw_id AS raw_id,
  s._load_id AS load_id,
  s.reject_reason AS reason,
  r.record,
  CASE WHEN jsonb_typeof(r.record -> 'created_at') = 'string' THEN r.record ->> 'created_at' END AS created_at_text,
  r.landed_at,
  now() AS quarantined_at,
  s._seq
FROM {{ref "stg_attempts"}} AS s
JOIN {{source "raw" "api_attempts"}} AS r ON r.id = s._raw_id
WHERE s.reject_reason IS NOT NULL
{{#if is_incremental}}  AND s._seq > {{watermark}}
{{/if}}

/*---
materialized: incremental
schema: staging
unique_key: _raw_id
primary_key: _raw_id
watermark: _raw_seq
watermark_source: raw.api_attempts.seq
contract:
  _raw_id: bigint not null
  _seq: bigint not null
  _load_id: bigint not null
  user_id: text
  oauth_consumer_key: text
  lis_result_sourcedid: text
  lis_outcome_service_url: text
  is_correct: int
  attempt_type: text
  created_at: timestamp
  reject_reason: text
indexes: [{columns: [_seq]}, {columns: [_load_id]}]
description: >-
  One row per landed record of raw.api_attempts, typed, with reject_reason saying why a record
  cannot go to grade.lms_grade_statistics (NULL when it can). A table, incremental on raw seq: each
  build types only the records landed or sent again since the last one, so passback_params (Python
  literal text) is parsed once per sending, by elt.py_literal_to_jsonb (migrations 0020, 0120), and
  lms_grade_statistics, lms_grade_quarantine and the latest-load audit read typed columns (ADR 0015).
  A record sent again (its raw seq moved up) is typed again and merged on _raw_id with its new _seq,
  so the models downstream see it again. The record itself stays in raw (the quarantine reads it
  there by _raw_id). Nothing here raises on bad input: text is checked before any cast.
columns:
  _raw_id: {description: "raw.api_attempts.id: the record's row, fixed once landed"}
  _seq: {description: "raw.api_attempts.seq when the record was typed: the order of its latest sending; lms_grade_statistics and lms_grade_quarantine read the rows after their watermark by it (indexed)"}
  _load_id: {description: "raw.api_attempts.load_id: the extract run that landed the record (indexed: the latest-load audit reads by it)"}
  user_id: {description: "lti_user_id; NULL when missing, empty or not a string"}
  oauth_consumer_key: {description: "passback_params['oauth_consumer_key'] (so far always empty text)"}
  lis_result_sourcedid: {description: "passback_params['lis_result_sourcedid']: the task (course, block, user); NULL when absent"}
  lis_outcome_service_url: {description: "passback_params['lis_outcome_service_url']; NULL when absent (the 2025 capture has none)"}
  is_correct: {description: "0 or 1 (true/false accepted); NULL for a run, or when not 0/1/true/false"}
  attempt_type: {description: "'run' or 'submit' as sent (text)"}
  created_at: {description: "created_at as a timestamp (UTC, no zone); NULL when missing or not a valid time"}
  reject_reason: {description: "Why the record is rejected (see docs/models.md for the codes); NULL when good"}
---*/
-- Two fences (OFFSET 0): each field is read from the record once, and the passback parsed once, per
-- row; flattened, PostgreSQL would repeat an expression for every place that uses its column.
SELECT
  x.id AS _raw_id,
  x.seq AS _seq,
  x.load_id AS _load_id,
  x.user_id,
  x.pb ->> 'oauth_consumer_key' AS oauth_consumer_key,
  x.pb ->> 'lis_result_sourcedid' AS lis_result_sourcedid,
  x.pb ->> 'lis_outcome_service_url' AS lis_outcome_service_url,
  x.is_correct,
  x.attempt_type,
  x.created_at,
  CASE
    WHEN x.record_type IS DISTINCT FROM 'object' THEN 'bad_record'
    WHEN x.user_id_type IS NULL OR x.user_id_type = 'null'
      OR (x.user_id_type = 'string' AND btrim(x.user_id_raw) = '') THEN 'missing_user_id'
    WHEN x.user_id_type <> 'string' THEN 'bad_user_id'
    WHEN x.created_at_type IS NULL OR x.created_at_type = 'null'
      OR (x.created_at_type = 'string' AND btrim(x.created_at_text) = '') THEN 'missing_created_at'
    WHEN x.created_at IS NULL THEN 'bad_created_at'
    WHEN x.attempt_type IS NULL OR x.attempt_type NOT IN ('run', 'submit') THEN 'bad_attempt_type'
    WHEN x.is_correct_ok IS NOT TRUE THEN 'bad_is_correct'
    WHEN x.attempt_type = 'run' AND x.is_correct IS NOT NULL THEN 'is_correct_on_run'
    WHEN x.attempt_type = 'submit' AND x.is_correct IS NULL THEN 'submit_without_is_correct'
    WHEN x.passback_type IS NULL OR x.passback_type = 'null'
      OR (x.passback_type = 'string' AND x.passback_text = '') THEN 'missing_passback'
    WHEN x.passback_type <> 'string' OR x.pb IS NULL OR jsonb_typeof(x.pb) <> 'object' THEN 'bad_passback'
    WHEN jsonb_typeof(x.pb -> 'oauth_consumer_key') IS DISTINCT FROM 'string' THEN 'missing_oauth_consumer_key'
    WHEN coalesce(jsonb_typeof(x.pb -> 'lis_result_sourcedid'), 'null') NOT IN ('string', 'null')
      OR coalesce(jsonb_typeof(x.pb -> 'lis_outcome_service_url'), 'null') NOT IN ('string', 'null') THEN 'bad_passback'
    WHEN length(x.user_id) > 255 OR length(x.pb ->> 'oauth_consumer_key') > 255
      OR length(x.pb ->> 'lis_result_sourcedid') > 1024 OR length(x.pb ->> 'lis_outcome_service_url') > 2048
      THEN 'value_too_long'
  END AS reject_reason,
  x.seq AS _raw_seq
FROM (
  -- The parser is inlined and reads its argument many times: give it a column.
  SELECT f.*, elt.py_literal_to_jsonb(f.passback_text) AS pb
  FROM (
    SELECT
      r.id,
      r.seq,
      r.load_id,
      jsonb_typeof(r.record) AS record_type,
      jsonb_typeof(r.record -> 'lti_user_id') AS user_id_type,
      r.record ->> 'lti_user_id' AS user_id_raw,
      CASE WHEN jsonb_typeof(r.record -> 'lti_user_id') = 'string' AND btrim(r.record ->> 'lti_user_id') <> ''
        THEN r.record ->> 'lti_user_id' END AS user_id,
      CASE
        WHEN jsonb_typeof(r.record -> 'is_correct') = 'boolean' THEN (r.record ->> 'is_correct')::boolean::int
        WHEN jsonb_typeof(r.record -> 'is_correct') = 'number' AND (r.record ->> 'is_correct') IN ('0', '1')
          THEN (r.record ->> 'is_correct')::int
      END AS is_correct,
      coalesce(jsonb_typeof(r.record -> 'is_correct'), 'null') = 'null'
        OR jsonb_typeof(r.record -> 'is_correct') = 'boolean'
        OR (jsonb_typeof(r.record -> 'is_correct') = 'number' AND (r.record ->> 'is_correct') IN ('0', '1'))
        AS is_correct_ok,
      CASE WHEN jsonb_typeof(r.record -> 'attempt_type') = 'string' THEN r.record ->> 'attempt_type' END AS attempt_type,
      jsonb_typeof(r.record -> 'created_at') AS created_at_type,
      CASE WHEN jsonb_typeof(r.record -> 'created_at') = 'string' THEN r.record ->> 'created_at' END AS created_at_text,
      -- A number's text never matches the format; a plain argument lets PostgreSQL inline the function.
      elt.parse_api_timestamp(r.record ->> 'created_at') AS created_at,
      jsonb_typeof(r.record -> 'passback_params') AS passback_type,
      CASE WHEN jsonb_typeof(r.record -> 'passback_params') = 'string' THEN r.record ->> 'passback_params' END
        AS passback_text
    FROM {{source "raw" "api_attempts"}} AS r
{{#if is_incremental}}    WHERE r.seq > {{watermark}}
{{/if}}    OFFSET 0
  ) AS f
  OFFSET 0
) AS x

/*---
materialized: view
schema: staging
description: >-
  One row per landed record of raw.api_attempts, typed, with reject_reason saying why a record
  cannot go to grade.lms_grade_statistics (NULL when it can). passback_params (Python literal text)
  is parsed once per row by elt.py_literal_to_jsonb (migration 0020). Nothing here raises on bad
  input: text is checked with a regular expression before any cast. A view, so it costs nothing
  until read; the grade models read it with a filter on _seq, which reaches the raw table's
  seq index, so only new (and re-sent) records are parsed.
columns:
  _raw_id: {description: "raw.api_attempts.id: the record's row, fixed once landed"}
  _seq: {description: "raw.api_attempts.seq: the order of the record's latest sending, the incremental watermark (the highest seq of an attempt is the version the API sent last)"}
  _load_id: {description: "raw.api_attempts.load_id: the extract run that landed the record"}
  _landed_at: {description: "When the record was landed (timestamptz)"}
  _record: {description: "The record as the API sent it (jsonb)"}
  user_id: {description: "lti_user_id; NULL when missing, empty or not a string"}
  oauth_consumer_key: {description: "passback_params['oauth_consumer_key'] (so far always empty text)"}
  lis_result_sourcedid: {description: "passback_params['lis_result_sourcedid']: the task (course, block, user); NULL when absent"}
  lis_outcome_service_url: {description: "passback_params['lis_outcome_service_url']; NULL when absent (the 2025 capture has none)"}
  is_correct: {description: "0 or 1 (true/false accepted); NULL for a run, or when not 0/1/true/false"}
  attempt_type: {description: "'run' or 'submit' as sent (text)"}
  created_at: {description: "created_at as a timestamp (UTC, no zone); NULL when missing or not a valid time"}
  created_at_text: {description: "created_at as sent, when it was a string (for the quarantine)"}
  reject_reason: {description: "Why the record is rejected (see docs/models.md for the codes); NULL when good"}
---*/
SELECT
  r.id AS _raw_id,
  r.seq AS _seq,
  r.load_id AS _load_id,
  r.landed_at AS _landed_at,
  r.record AS _record,
  v.user_id,
  v.oauth_consumer_key,
  v.lis_result_sourcedid,
  v.lis_outcome_service_url,
  v.is_correct,
  v.attempt_type,
  v.created_at,
  v.created_at_text,
  CASE
    WHEN jsonb_typeof(r.record) IS DISTINCT FROM 'object' THEN 'bad_record'
    WHEN v.user_id_type IS NULL OR v.user_id_type = 'null'
      OR (v.user_id_type = 'string' AND btrim(v.user_id_raw) = '') THEN 'missing_user_id'
    WHEN v.user_id_type <> 'string' THEN 'bad_user_id'
    WHEN v.created_at_type IS NULL OR v.created_at_type = 'null'
      OR (v.created_at_type = 'string' AND btrim(v.created_at_text) = '') THEN 'missing_created_at'
    WHEN v.created_at IS NULL THEN 'bad_created_at'
    WHEN v.attempt_type IS NULL OR v.attempt_type NOT IN ('run', 'submit') THEN 'bad_attempt_type'
    WHEN v.is_correct_ok IS NOT TRUE THEN 'bad_is_correct'
    WHEN v.attempt_type = 'run' AND v.is_correct IS NOT NULL THEN 'is_correct_on_run'
    WHEN v.attempt_type = 'submit' AND v.is_correct IS NULL THEN 'submit_without_is_correct'
    WHEN v.passback_type IS NULL OR v.passback_type = 'null'
      OR (v.passback_type = 'string' AND v.passback_text = '') THEN 'missing_passback'
    WHEN v.passback_type <> 'string' OR p.pb IS NULL OR jsonb_typeof(p.pb) <> 'object' THEN 'bad_passback'
    WHEN jsonb_typeof(p.pb -> 'oauth_consumer_key') IS DISTINCT FROM 'string' THEN 'missing_oauth_consumer_key'
    WHEN coalesce(jsonb_typeof(p.pb -> 'lis_result_sourcedid'), 'null') NOT IN ('string', 'null')
      OR coalesce(jsonb_typeof(p.pb -> 'lis_outcome_service_url'), 'null') NOT IN ('string', 'null') THEN 'bad_passback'
    WHEN length(v.user_id) > 255 OR length(v.oauth_consumer_key) > 255
      OR length(v.lis_result_sourcedid) > 1024 OR length(v.lis_outcome_service_url) > 2048 THEN 'value_too_long'
  END AS reject_reason
FROM {{source "raw" "api_attempts"}} AS r
-- A function in FROM runs once per row; a plain subquery would be flattened and the parse repeated
-- for every key read below.
CROSS JOIN LATERAL elt.py_literal_to_jsonb(
  CASE WHEN jsonb_typeof(r.record -> 'passback_params') = 'string' THEN r.record ->> 'passback_params' END
) AS p(pb)
CROSS JOIN LATERAL (
  SELECT
    jsonb_typeof(r.record -> 'lti_user_id') AS user_id_type,
    r.record ->> 'lti_user_id' AS user_id_raw,
    CASE WHEN jsonb_typeof(r.record -> 'lti_user_id') = 'string' AND btrim(r.record ->> 'lti_user_id') <> ''
      THEN r.record ->> 'lti_user_id' END AS user_id,
    p.pb ->> 'oauth_consumer_key' AS oauth_consumer_key,
    p.pb ->> 'lis_result_sourcedid' AS lis_result_sourcedid,
    p.pb ->> 'lis_outcome_service_url' AS lis_outcome_service_url,
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
) AS v

-- Nothing lost silently (docs/adr/0008-plausible-answers.md): what landing now records beside the
-- records themselves.

-- seq: the order of the latest *sending* of a record. A new record takes the next value; a record the
-- API sends again after a different version of the same attempt (key_hash) takes a new one, so the
-- version the API sent most recently is the one with the highest seq. Models read seq as their
-- incremental watermark (raw ids never change: the quarantine and the conflicts refer to them).
-- Existing rows keep their landing order: seq = id.
CREATE SEQUENCE IF NOT EXISTS raw.api_attempts_seq AS bigint;
ALTER TABLE raw.api_attempts ADD COLUMN IF NOT EXISTS seq bigint;
ALTER TABLE raw.api_attempts ADD COLUMN IF NOT EXISTS key_hash uuid;
ALTER TABLE raw.api_attempts ADD COLUMN IF NOT EXISTS last_load_id bigint;
-- The shipped key (extract.record_key: lti_user_id, created_at); landing computes it for new rows.
UPDATE raw.api_attempts SET
  seq = id,
  key_hash = CASE WHEN jsonb_typeof(record -> 'lti_user_id') <> 'null' AND jsonb_typeof(record -> 'created_at') <> 'null'
      AND (record ->> 'created_at') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}'
    THEN md5((record -> 'lti_user_id')::text || ',' || (record -> 'created_at')::text)::uuid END
WHERE seq IS NULL;
SELECT setval('raw.api_attempts_seq', greatest((SELECT max(id) FROM raw.api_attempts), 1),
              (SELECT max(id) FROM raw.api_attempts) IS NOT NULL);
ALTER TABLE raw.api_attempts ALTER COLUMN seq SET DEFAULT nextval('raw.api_attempts_seq');
ALTER TABLE raw.api_attempts ALTER COLUMN seq SET NOT NULL;
ALTER SEQUENCE raw.api_attempts_seq OWNED BY raw.api_attempts.seq;
CREATE UNIQUE INDEX IF NOT EXISTS api_attempts_seq_idx ON raw.api_attempts (seq);
-- A hash index: keys are random, so a btree pays a descent and a page split somewhere random for
-- every new record (measured: ~1.2 s per 100k landed); lookups are by equality only.
CREATE INDEX IF NOT EXISTS api_attempts_key_idx ON raw.api_attempts USING hash (key_hash);
-- Statistics for the new columns now: the first landing after this migration plans its key
-- lookups with them (without, the planner may guess that key_hash has 200 values).
ANALYZE raw.api_attempts;

-- Elements of an answer that could not land as records: not a JSON object, not valid UTF-8, or a
-- value PostgreSQL cannot store (a lone surrogate escape, nesting past the stack limit, a number out
-- of range). The rest of the window lands. One row per distinct text; a re-send counts in times_seen.
CREATE TABLE IF NOT EXISTS raw.api_rejects (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  load_id       bigint NOT NULL,
  window_start  timestamp NOT NULL,
  window_end    timestamp NOT NULL,
  position      bigint NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('not_an_object', 'invalid_utf8', 'unstorable')),
  sqlstate      text,
  error         text NOT NULL,
  text          text NOT NULL,
  text_length   bigint NOT NULL,
  text_md5      text NOT NULL UNIQUE,
  times_seen    integer NOT NULL DEFAULT 1,
  last_load_id  bigint NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS api_rejects_load_idx ON raw.api_rejects (last_load_id);

-- Each time an attempt (same key) arrived with content different from its latest version: the
-- later sending wins (seq), and the change is kept here with both versions' raw ids.
CREATE TABLE IF NOT EXISTS raw.api_conflicts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  load_id     bigint NOT NULL,
  record_key  jsonb NOT NULL,
  old_raw_id  bigint NOT NULL,
  new_raw_id  bigint NOT NULL,
  changes     jsonb NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS api_conflicts_load_idx ON raw.api_conflicts (load_id);

-- The load ledger learns what it received besides records, and whether the answer was plausible.
-- 'suspect': the records landed, but the answer looked incomplete (far below the usual volume, or
-- mostly junk), so the window does not count as covered and later runs fetch it again.
ALTER TABLE elt.loads DROP CONSTRAINT IF EXISTS loads_status_check;
ALTER TABLE elt.loads ADD CONSTRAINT loads_status_check
  CHECK (status IN ('running', 'landed', 'suspect', 'failed'));
ALTER TABLE elt.loads
  ADD COLUMN IF NOT EXISTS rejected bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS non_objects bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS outside bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS resent bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS conflicts bigint NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS expected bigint,
  ADD COLUMN IF NOT EXISTS suspect text,
  ADD COLUMN IF NOT EXISTS accepted boolean NOT NULL DEFAULT false,
  ADD COLUMN IF NOT EXISTS first_seq bigint,
  ADD COLUMN IF NOT EXISTS last_seq bigint;
CREATE INDEX IF NOT EXISTS loads_suspect_idx ON elt.loads (window_start, window_end) WHERE status = 'suspect';

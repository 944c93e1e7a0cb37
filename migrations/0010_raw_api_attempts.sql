-- Landed API records, exactly as the API sent them (jsonb), one row per distinct record.
-- record_hash = md5(record::text): jsonb's text is canonical (key order, spacing), so the same record
-- sent twice, in two overlapping windows or two runs, lands once (INSERT ... ON CONFLICT DO NOTHING).
-- id is the models' incremental watermark: landing holds the project lock, so ids grow with time.
CREATE TABLE IF NOT EXISTS raw.api_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  load_id      bigint NOT NULL,
  record       jsonb NOT NULL,
  record_hash  text NOT NULL UNIQUE,
  window_start timestamp,
  window_end   timestamp,
  landed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS api_attempts_load_id_idx ON raw.api_attempts (load_id);

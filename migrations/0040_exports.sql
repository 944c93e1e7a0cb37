-- The export ledger: one row per export attempt (Google Sheets or email), so `elt status` and a
-- person reading the database can see what was delivered, how often it was retried and why it failed.
-- run_id has no foreign key: elt.runs is created by a later migration (0050) and a standalone
-- `elt export` has no run at all.
CREATE TABLE IF NOT EXISTS elt.exports (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id   bigint,
  kind     text NOT NULL CHECK (kind IN ('sheets', 'email')),
  day      date,
  status   text NOT NULL CHECK (status IN ('success', 'failed', 'skipped')),
  attempts integer NOT NULL DEFAULT 1,
  ms       integer NOT NULL DEFAULT 0,
  target   text,
  error    text,
  at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS exports_at_idx ON elt.exports (at DESC);

-- The run ledger: one row per `elt run`, written at start and updated at the end, so a run that
-- was killed stays visible as 'running' with no finished_at.
CREATE TABLE IF NOT EXISTS elt.runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed')),
  window_start timestamp,
  window_end   timestamp,
  options      jsonb NOT NULL DEFAULT '{}'::jsonb,
  stages       jsonb NOT NULL DEFAULT '[]'::jsonb,
  counts       jsonb NOT NULL DEFAULT '{}'::jsonb,
  error        text,
  pid          integer,
  host         text
);
CREATE INDEX IF NOT EXISTS runs_started_at_idx ON elt.runs (started_at DESC);

-- Source checks (docs/adr/0011-source-checks.md): what `elt run` found about the landed source
-- after each extract, one row per check and load (freshness: one per run, load_id NULL).
-- check: freshness and drift (configured on the source table in models/*.yml), volume, rejects,
-- outside_window and conflicts (the extract's own plausibility verdicts, always recorded).
-- severity: what a failing check is worth (configured, or warn for the extract's); status: pass, or
-- the severity it failed with. run_id: the `elt run` that checked it (NULL from elsewhere).
CREATE TABLE IF NOT EXISTS elt.source_checks (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id     bigint,
  load_id    bigint,
  source     text NOT NULL,
  "check"    text NOT NULL,
  severity   text NOT NULL CHECK (severity IN ('warn', 'error')),
  status     text NOT NULL CHECK (status IN ('pass', 'warn', 'error')),
  message    text,
  detail     jsonb NOT NULL DEFAULT '{}'::jsonb,
  checked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS source_checks_run_idx ON elt.source_checks (run_id);
CREATE INDEX IF NOT EXISTS source_checks_latest_idx ON elt.source_checks (source, "check", id DESC);

-- Each checked load's shape: per scope ('' = the records, else the nested field parsed), the
-- number of objects (path '', type 'object') and of each (key, JSON type). Drift compares a load
-- with the sum over the last loads here, so a check costs the load's size, never the history's.
CREATE TABLE IF NOT EXISTS elt.source_shapes (
  source  text NOT NULL,
  load_id bigint NOT NULL,
  scope   text NOT NULL,
  path    text NOT NULL,
  type    text NOT NULL,
  n       bigint NOT NULL,
  PRIMARY KEY (source, load_id, scope, path, type)
);

-- Build what changed (`--select state:modified`): each published build of a model keeps the hashes of
-- its compiled SQL and of its config, so the next selection can compare the project against them.
ALTER TABLE elt.model_runs ADD COLUMN IF NOT EXISTS sql_hash text;
ALTER TABLE elt.model_runs ADD COLUMN IF NOT EXISTS config_hash text;
CREATE INDEX IF NOT EXISTS model_runs_published_idx ON elt.model_runs (model, id DESC)
  WHERE published AND status = 'success' AND sql_hash IS NOT NULL;

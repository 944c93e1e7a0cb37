-- The three schemas every later migration and model relies on.
-- raw: landed API records, untouched; grade: the task's tables and views; elt: the tool's own state.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS grade;
CREATE SCHEMA IF NOT EXISTS elt;

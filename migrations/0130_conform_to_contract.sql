-- A full build writes a model's SELECT once, straight into its new table (CREATE TABLE AS), instead
-- of into a temporary table first and then INSERT into one created from the contract: on 200k
-- records the second write cost ~0.3-0.7 s a model. The contract is then applied to that table from a
-- shape: an empty table created from the contract's column definitions, whose columns say the types,
-- NOT NULLs, defaults and constraints. docs/adr/0017-full-build-writes-once.md.

-- The contract's types (and collations) where the SELECT's differ: one ALTER TABLE, no USING, so a
-- value converts exactly as the INSERT into a contract table converted it (an assignment cast), and a
-- type that does not convert fails the build. text to varchar and the like rewrite nothing.
CREATE OR REPLACE FUNCTION elt.conform_types(rel regclass, shape regclass)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  alters text;
BEGIN
  SELECT string_agg(format('ALTER COLUMN %I TYPE %s%s', s.attname, format_type(s.atttypid, s.atttypmod),
           CASE WHEN s.attcollation <> 0 THEN format(' COLLATE %I.%I', n.nspname, c.collname) ELSE '' END),
         ', ' ORDER BY s.attnum)
    INTO alters
    FROM pg_attribute s
    JOIN pg_attribute r ON r.attrelid = rel AND r.attname = s.attname AND r.attnum > 0 AND NOT r.attisdropped
    LEFT JOIN pg_collation c ON c.oid = s.attcollation
    LEFT JOIN pg_namespace n ON n.oid = c.collnamespace
   WHERE s.attrelid = shape AND s.attnum > 0 AND NOT s.attisdropped
     AND (s.atttypid, s.atttypmod, s.attcollation) IS DISTINCT FROM (r.atttypid, r.atttypmod, r.attcollation);
  IF alters IS NOT NULL THEN
    BEGIN
      EXECUTE format('ALTER TABLE %s %s', rel, alters);
    EXCEPTION WHEN datatype_mismatch THEN
      -- PostgreSQL's own hint (USING) is for ALTER TABLE, which the analyst does not write.
      RAISE EXCEPTION 'the SELECT does not match the contract: %', SQLERRM
        USING ERRCODE = 'datatype_mismatch', HINT = 'cast the column to the contract''s type in the SELECT';
    END;
  END IF;
END $$;

-- The rest of the contract, after the audits (so a NULL the audits would report is reported by them,
-- with its rows, before NOT NULL refuses it): NOT NULLs, defaults and the shape's constraints (CHECK,
-- UNIQUE, REFERENCES), in one ALTER TABLE, which checks every row in one scan. Identity and generated
-- columns cannot be filled by a SELECT, so a contract cannot ask for them.
CREATE OR REPLACE FUNCTION elt.conform_constraints(rel regclass, shape regclass)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bad text;
  alters text;
BEGIN
  SELECT string_agg(attname, ', ') INTO bad
    FROM pg_attribute
   WHERE attrelid = shape AND attnum > 0 AND NOT attisdropped AND (attidentity <> '' OR attgenerated <> '');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'the contract asks for identity or generated columns (%): a model''s SELECT fills every column', bad
      USING ERRCODE = 'feature_not_supported';
  END IF;
  SELECT string_agg(a, ', ' ORDER BY ord, a) INTO alters FROM (
    SELECT s.attnum AS ord, format('ALTER COLUMN %I SET NOT NULL', s.attname) AS a
      FROM pg_attribute s
     WHERE s.attrelid = shape AND s.attnum > 0 AND NOT s.attisdropped AND s.attnotnull
    UNION ALL
    SELECT d.adnum, format('ALTER COLUMN %I SET DEFAULT %s', s.attname, pg_get_expr(d.adbin, d.adrelid))
      FROM pg_attrdef d JOIN pg_attribute s ON s.attrelid = d.adrelid AND s.attnum = d.adnum
     WHERE d.adrelid = shape
    UNION ALL
    -- A name PostgreSQL made up for the shape (<shape>_<column>_check) is left for it to make up again.
    SELECT 1000000 + row_number() OVER (ORDER BY k.oid),
           CASE WHEN starts_with(k.conname, t.relname) THEN 'ADD ' ELSE format('ADD CONSTRAINT %I ', k.conname) END
             || pg_get_constraintdef(k.oid)
      FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid WHERE k.conrelid = shape
  ) AS parts;
  IF alters IS NOT NULL THEN
    EXECUTE format('ALTER TABLE %s %s', rel, alters);
  END IF;
END $$;

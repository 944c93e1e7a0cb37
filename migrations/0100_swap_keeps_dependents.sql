-- A rebuild swaps a relation (DROP ... CASCADE, then the new one under its name). What depends on it
-- is found at that moment, not when the build was planned (an earlier model of the same build may
-- have changed it), and put back as it stood: views and materialized views with their comments and
-- grants, and the relation's own grants. A foreign key from another table would be dropped by the
-- cascade: the swap refuses instead. Views of other sessions' temporary schemas go with the cascade
-- (they cannot be recreated from here, and they are theirs). docs/adr/0012-write-audit-publish.md.

CREATE OR REPLACE FUNCTION elt.stash_dependents(rel regclass)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  fk record;
BEGIN
  SELECT c.conname, c.conrelid::regclass AS child INTO fk
    FROM pg_constraint c WHERE c.confrelid = rel AND c.conrelid <> rel AND c.contype = 'f' LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'foreign key % of % references %: rebuilding it would drop that key', fk.conname, fk.child, rel
      USING HINT = 'drop the foreign key, or make the model incremental (a merge keeps the table)';
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS elt__dependents (
    ord int, rel text, kind "char", def text, comment text, acl aclitem[], owner_rel text
  ) ON COMMIT DROP;
  DELETE FROM elt__dependents;
  -- The relation's own grants, put back on the new one by name.
  INSERT INTO elt__dependents
    SELECT 0, rel::text, c.relkind, NULL, NULL, c.relacl, rel::text FROM pg_class c WHERE c.oid = rel;
  INSERT INTO elt__dependents
  WITH RECURSIVE deps(oid, depth) AS (
    SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
     WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = rel AND r.ev_class <> d.refobjid
    UNION
    SELECT r.ev_class, deps.depth + 1 FROM deps
      JOIN pg_depend d ON d.refobjid = deps.oid
      JOIN pg_rewrite r ON r.oid = d.objid
     WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> d.refobjid AND deps.depth < 100
  )
  SELECT row_number() OVER (ORDER BY d.depth, n.nspname, c.relname)::int,
         format('%I.%I', n.nspname, c.relname), c.relkind,
         rtrim(pg_get_viewdef(c.oid), E'; \n'), obj_description(c.oid, 'pg_class'), c.relacl, rel::text
    FROM (SELECT oid, max(depth) AS depth FROM deps GROUP BY oid) d
    JOIN pg_class c ON c.oid = d.oid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT LIKE 'pg_temp%';
END $$;

CREATE OR REPLACE FUNCTION elt.grant_acl(target text, kind "char", acl aclitem[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT a.grantee, a.privilege_type FROM aclexplode(acl) AS a
            WHERE a.grantee <> (SELECT relowner FROM pg_class WHERE oid = target::regclass)
  LOOP
    EXECUTE format('GRANT %s ON %s TO %s', g.privilege_type, target,
      CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END);
  END LOOP;
END $$;

-- skip: views the same build creates anew from their changed SQL in a later step. fresh: the SQL of
-- view models published unchanged ({relation: sql}): a `SELECT *` is expanded again on the new columns.
CREATE OR REPLACE FUNCTION elt.restore_dependents(skip text[], fresh jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  FOR d IN SELECT * FROM elt__dependents WHERE ord = 0 OR rel <> ALL (skip) ORDER BY ord LOOP
    BEGIN
      IF d.ord > 0 THEN
        EXECUTE format('CREATE %s %s AS %s', CASE WHEN d.kind = 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, d.rel,
          CASE WHEN d.kind = 'v' AND fresh ? d.rel THEN fresh ->> d.rel ELSE d.def END);
        IF d.comment IS NOT NULL THEN
          EXECUTE format('COMMENT ON %s %s IS %L', CASE WHEN d.kind = 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, d.rel, d.comment);
        END IF;
      END IF;
      IF d.acl IS NOT NULL THEN PERFORM elt.grant_acl(d.rel, d.kind, d.acl); END IF;
    EXCEPTION WHEN OTHERS THEN
      RAISE EXCEPTION 'dependent view % cannot be recreated on the new %: %', d.rel, d.owner_rel, SQLERRM
        USING ERRCODE = SQLSTATE;
    END;
  END LOOP;
  DELETE FROM elt__dependents;
END $$;

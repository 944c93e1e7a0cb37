import format from "pg-format";
import type { Queryable } from "../db/database.ts";

/**
 * How many objects of a scope hold `path` with JSON type `type`. Scope '' is the records
 * themselves, else the nested field of that name parsed; path '' with type 'object' counts the
 * scope's objects (the records, or the nested values that parsed to an object).
 */
export interface ShapeRow {
  scope: string;
  path: string;
  type: string;
  n: number;
}

/** The records one load wrote (new ones and re-sent winners): their seq range. */
export interface LoadSeqs {
  id: number;
  firstSeq: number;
  lastSeq: number;
}

/** Every `step`-th seq of a load is counted (1: all of them). */
export function sampleStep(load: LoadSeqs, sample: number): number {
  const span = load.lastSeq - load.firstSeq + 1;
  return sample <= 0 || span <= sample ? 1 : Math.ceil(span / sample);
}

/**
 * Counts the top-level keys and JSON types of a load's records, and of each nested field (a
 * Python literal parsed by elt.py_literal_to_jsonb, migrations 0020 and 0120, or a JSON object as
 * is), and stores them in elt.source_shapes. Reads the load's rows through the seq index only:
 * every `step`-th seq (sampleStep), so a big load costs what `sample` records cost.
 */
export async function recordLoadShape(
  db: Queryable,
  source: { schema: string; table: string; name: string },
  load: LoadSeqs,
  nested: string[],
  step = 1,
): Promise<ShapeRow[]> {
  const { rows } = await db.query<ShapeRow>(
    format(
      `WITH recs AS (
         SELECT record FROM %I.%I
          WHERE ${
            step === 1
              ? "seq BETWEEN $3 AND $4"
              : "seq = ANY (ARRAY(SELECT generate_series($3::bigint, $4::bigint, $6::bigint)))"
          } AND jsonb_typeof(record) = 'object'
       ), objs AS (
         SELECT ''::text AS scope, record AS obj FROM recs
         UNION ALL
         SELECT f.field, p.obj
           FROM recs CROSS JOIN unnest($5::text[]) AS f(field)
           -- OFFSET 0: parsed once per record; flattened, the parse would run again for the filter.
           CROSS JOIN LATERAL (
             SELECT CASE jsonb_typeof(recs.record -> f.field)
                      WHEN 'object' THEN recs.record -> f.field
                      WHEN 'string' THEN elt.py_literal_to_jsonb(recs.record ->> f.field)
                    END AS obj
             OFFSET 0
           ) AS p
          WHERE jsonb_typeof(p.obj) = 'object'
       ), shape AS (
         SELECT scope, ''::text AS path, 'object'::text AS type, count(*) AS n FROM objs GROUP BY scope
         UNION ALL
         SELECT scope, e.key, jsonb_typeof(e.value), count(*)
           FROM objs CROSS JOIN LATERAL jsonb_each(objs.obj) AS e GROUP BY 1, 2, 3
       ), ins AS (
         INSERT INTO elt.source_shapes (source, load_id, scope, path, type, n)
         SELECT $1, $2, scope, path, type, n FROM shape
         ON CONFLICT DO NOTHING
       )
       SELECT scope, path, type, n::float8 AS n FROM shape`,
      source.schema,
      source.table,
    ),
    [source.name, load.id, load.firstSeq, load.lastSeq, nested, ...(step === 1 ? [] : [step])],
  );
  return rows;
}

/**
 * The summed shapes of the last `loads` loads before `loadId` that had records: what drift compares
 * a load with. A fixed number of loads, so the cost does not grow with the history.
 */
export async function baselineShape(
  db: Queryable,
  source: string,
  loadId: number,
  loads: number,
): Promise<{ rows: ShapeRow[]; loads: number }> {
  const { rows } = await db.query<ShapeRow & { loads: number }>(
    `WITH base AS (
       SELECT load_id FROM elt.source_shapes
        WHERE source = $1 AND load_id < $2 AND scope = '' AND path = '' AND n > 0
        ORDER BY load_id DESC LIMIT $3
     )
     SELECT s.scope, s.path, s.type, sum(s.n)::float8 AS n, (SELECT count(*)::int FROM base) AS loads
       FROM elt.source_shapes AS s
      WHERE s.source = $1 AND s.load_id IN (SELECT load_id FROM base)
      GROUP BY 1, 2, 3`,
    [source, loadId, loads],
  );
  return { rows, loads: rows[0]?.loads ?? 0 };
}

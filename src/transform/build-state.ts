import format from "pg-format";
import type { Queryable } from "../db/database.ts";
import { relationExists } from "../db/relation-exists.ts";
import type { ModelFingerprint } from "./model-fingerprint.ts";
import type { ProjectPlan } from "./plan-project.ts";
import { readFingerprints } from "./read-fingerprints.ts";
import { type RelationKind, relationColumns, relationKind } from "./relation-info.ts";

/** What one model's relation is now, as a build plan needs it. */
export interface RelationState {
  kind: RelationKind;
  columns: string[];
  /** Column sets of valid plain indexes (sorted), unique or not. */
  indexes: { columns: string[]; unique: boolean }[];
}

/** The database as the selected models see it: one read, before anything is written. */
export interface BuildState {
  /** By model name; absent when nothing stands at its relation. */
  relations: ReadonlyMap<string, RelationState>;
  /**
   * Models whose `watermark_source` relation stands now. Its maximum is read by a step of the build
   * right before the model's SELECT (see readFloorSql), so that a source another model of the same
   * build writes first (a staging table) counts with what it wrote.
   */
  watermarkSources: ReadonlySet<string>;
  /** By model name: the fingerprint of its last published build (a view's tests audit a change of it). */
  fingerprints?: ReadonlyMap<string, ModelFingerprint>;
}

async function indexes(tx: Queryable, quoted: string): Promise<RelationState["indexes"]> {
  const { rows } = await tx.query<{ cols: string[]; unique: boolean }>(
    `SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols, bool_or(i.indisunique) AS unique
       FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY i.indexrelid`,
    [quoted],
  );
  return rows.map((r) => ({ columns: r.cols, unique: r.unique }));
}

/**
 * Reads the state of the selected models' relations. Inside the build's transaction, after the
 * landing lock: nothing it read can change before the plan made from it is applied.
 */
export async function readBuildState(tx: Queryable, plan: ProjectPlan): Promise<BuildState> {
  const relations = new Map<string, RelationState>();
  const watermarkSources = new Set<string>();
  for (const model of plan.models) {
    const kind = await relationKind(tx, model.relation.schema, model.relation.name);
    if (kind) {
      relations.set(model.name, {
        kind,
        columns: await relationColumns(tx, model.quoted),
        indexes: kind === "table" ? await indexes(tx, model.quoted) : [],
      });
    }
    const source = model.config.watermark ? model.config.watermarkSource : undefined;
    if (source && (await relationExists(tx, format("%I.%I", source.schema, source.table))))
      watermarkSources.add(model.name);
  }
  return { relations, watermarkSources, fingerprints: await readFingerprints(tx) };
}

/** Whether an index (unique when asked) covers exactly these columns, in any order. */
export function hasIndex(
  state: RelationState | undefined,
  columns: readonly string[],
  unique: boolean,
): boolean {
  const want = [...columns].sort();
  return (state?.indexes ?? []).some(
    (i) =>
      (i.unique || !unique) && i.columns.length === want.length && i.columns.every((c, k) => c === want[k]),
  );
}

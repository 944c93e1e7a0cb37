import type { Database, Queryable } from "../db/database.ts";
import { checkFreshness } from "./check-freshness.ts";
import { compareShapes } from "./compare-shapes.ts";
import { type CheckedLoad, landingChecks } from "./landing-checks.ts";
import { LANDING_TABLE } from "./landing-table.ts";
import { baselineShape, type LoadSeqs, recordLoadShape, sampleStep } from "./load-shape.ts";
import type { SourceCheckResult } from "./source-check.ts";
import type { DriftSettings, SourceChecks } from "./source-check-config.ts";

export interface SourceCheckOptions {
  /** The elt.loads ids to check (failed ones are ignored). */
  loadIds: number[];
  runId?: number;
  /** Judge freshness at this time (the end of a window that reaches now); absent: not judged. */
  freshnessAt?: Date;
  /** Suspect answers per load's window so far, and how many make the extract give up on it. */
  suspectFetches?: ReadonlyMap<number, number>;
  maxFetches: number;
}

type LoadRow = Omit<CheckedLoad, "suspectFetches"> & { first_seq: number | null; last_seq: number | null };

const RELATION = `${LANDING_TABLE.schema}.${LANDING_TABLE.table}`;

/**
 * Checks the loads an extract wrote and records every outcome in elt.source_checks (one
 * transaction): the extract's verdicts per load, drift per load (in load order, each load's shape
 * stored before the next is compared), freshness once. Returns the rows written.
 */
export async function runSourceChecks(
  db: Database,
  checks: SourceChecks[],
  options: SourceCheckOptions,
): Promise<SourceCheckResult[]> {
  return db.transaction(async (tx) => {
    const { rows: loads } = await tx.query<LoadRow>(
      `SELECT id, status, records, rejected, outside, conflicts, suspect, accepted, expected, first_seq, last_seq
         FROM elt.loads WHERE id = ANY($1::bigint[]) AND status IN ('landed', 'suspect') ORDER BY id`,
      [options.loadIds],
    );
    const results: SourceCheckResult[] = [];
    for (const load of loads) {
      const fetches = options.suspectFetches?.get(load.id);
      results.push(
        ...landingChecks(
          RELATION,
          { ...load, ...(fetches !== undefined ? { suspectFetches: fetches } : {}) },
          options.maxFetches,
        ),
      );
    }
    const seqs: LoadSeqs[] = loads.flatMap((l) =>
      l.first_seq === null || l.last_seq === null
        ? []
        : [{ id: l.id, firstSeq: l.first_seq, lastSeq: l.last_seq }],
    );
    for (const c of checks) {
      if (c.drift) {
        for (const load of loads) {
          const s = seqs.find((x) => x.id === load.id);
          results.push(await checkDrift(tx, c.drift, load.id, s));
        }
      }
      if (c.freshness && options.freshnessAt) {
        results.push(
          await checkFreshness(
            tx,
            { ...LANDING_TABLE, relation: RELATION },
            c.freshness,
            seqs,
            options.freshnessAt,
          ),
        );
      }
    }
    if (results.length > 0) {
      await tx.query(
        `INSERT INTO elt.source_checks (run_id, load_id, source, "check", severity, status, message, detail)
         SELECT $1, load_id, source, "check", severity, status, message, detail
           FROM jsonb_to_recordset($2::jsonb)
             AS x(load_id bigint, source text, "check" text, severity text, status text, message text, detail jsonb)`,
        [options.runId ?? null, JSON.stringify(results.map((r) => ({ ...r, load_id: r.loadId ?? null })))],
      );
    }
    return results;
  });
}

async function checkDrift(
  tx: Queryable,
  settings: DriftSettings,
  loadId: number,
  seqs: LoadSeqs | undefined,
): Promise<SourceCheckResult> {
  const base = { source: RELATION, check: "drift" as const, loadId, severity: settings.severity };
  if (!seqs) return { ...base, status: "pass", message: "no new records", detail: { records: 0 } };
  const step = sampleStep(seqs, settings.sample);
  const current = await recordLoadShape(
    tx,
    { ...LANDING_TABLE, name: RELATION },
    seqs,
    settings.nested,
    step,
  );
  const baseline = await baselineShape(tx, RELATION, loadId, settings.baseline_loads);
  const records = current.find((r) => r.scope === "" && r.path === "")?.n ?? 0;
  // The counts (and so the findings' "n of m") are the sample's; say so once, and of how many seqs.
  const sampled = step === 1 ? {} : { sample_step: step, seqs: seqs.lastSeq - seqs.firstSeq + 1 };
  const of = step === 1 ? "" : `counted on a sample (1 seq in ${step} of ${sampled.seqs} seqs): `;
  // min_records is of the load's records: a sample's count stands for step times as many.
  const thresholds = { ...settings, min_records: Math.max(1, Math.ceil(settings.min_records / step)) };
  if (baseline.loads === 0) {
    return {
      ...base,
      status: "pass",
      message: `${of}${records} records; no earlier load to compare with`,
      detail: { records, baseline_loads: 0, ...sampled },
    };
  }
  const findings = compareShapes(current, baseline.rows, thresholds);
  return {
    ...base,
    status: findings.length > 0 ? settings.severity : "pass",
    message:
      findings.length > 0
        ? `${of}${findings.map((f) => f.message).join("; ")}`
        : `${of}${records} records shaped as the last ${baseline.loads} loads'`,
    detail: { records, baseline_loads: baseline.loads, findings, ...sampled },
  };
}

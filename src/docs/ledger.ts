/**
 * What the docs show from the run ledger: each model's last build (elt.model_runs) and each test's
 * last result (elt.test_results). Plain JSON, so the manifest can be printed and embedded.
 */

export interface LastBuild {
  status: string;
  mode?: string;
  rows?: number;
  ms?: number;
  error?: string;
  finishedAt?: string;
  /** The run that built it, when the ledger records one. */
  runId?: string;
  /** False when the build wrote its data but did not make it visible (where the ledger says). */
  published?: boolean;
}

export interface LastTestResult {
  status: string;
  severity?: string;
  failures?: number;
  ms?: number;
  error?: string;
  finishedAt?: string;
  runId?: string;
  /** What it ran on, where the ledger says: a build's audit of its batch, or a whole relation. */
  scope?: string;
}

export type Ledger =
  | { available: true; builds: Record<string, LastBuild>; tests: Record<string, LastTestResult> }
  /** No database, or one without the ledger tables: the docs say why and show no results. */
  | { available: false; reason: string };

export const noLedger = (reason: string): Ledger => ({ available: false, reason });

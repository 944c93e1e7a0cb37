/** What `elt run` was asked to do. */
export interface RunOptions {
  /** Backfill bounds; both absent: incremental from the watermark. */
  start?: Date;
  end?: Date;
  /** Re-extract windows already landed. */
  force?: boolean;
  /** Count answers that look incomplete as landed (a day that really was quiet). */
  acceptIncomplete?: boolean;
  fullRefresh?: boolean;
  select?: string[];
  exclude?: string[];
  vars?: Record<string, unknown>;
  skipExport?: boolean;
  /** The clock the extract plans its windows by (tests replay nights); default: now. */
  now?: Date;
}

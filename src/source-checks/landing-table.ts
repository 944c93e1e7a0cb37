/**
 * The table the extract lands records in (migration 0010): source checks read its loads' records
 * (by seq range) and its `record` jsonb column, so they run on this table only.
 */
export const LANDING_TABLE = { schema: "raw", table: "api_attempts" } as const;

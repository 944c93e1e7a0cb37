/**
 * The text-format parsers every pg connection uses (server or embedded). Timestamps without zone are UTC (the API's convention), never the host's zone;
 * dates stay `YYYY-MM-DD` strings; bigint and numeric become numbers when exact enough.
 */
export const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184 } as const;

function parseInt8(text: string): number | bigint {
  const n = BigInt(text);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function parseTimestamp(text: string, zoned: boolean): Date | number {
  if (text === "infinity") return Number.POSITIVE_INFINITY;
  if (text === "-infinity") return Number.NEGATIVE_INFINITY;
  let iso = text.replace(" ", "T");
  if (zoned) iso = iso.replace(/([+-]\d\d)$/, "$1:00");
  else iso += "Z";
  return new Date(iso);
}

export const typeParsers: Record<number, (text: string) => unknown> = {
  [OID.INT8]: parseInt8,
  [OID.NUMERIC]: (t) => Number(t),
  [OID.DATE]: (t) => t,
  [OID.TIMESTAMP]: (t) => parseTimestamp(t, false),
  [OID.TIMESTAMPTZ]: (t) => parseTimestamp(t, true),
};

/**
 * A Date as the text of a UTC `timestamp` (no zone) parameter. Passing a Date object would let pg
 * serialise it in the host's local zone, which a `timestamp` column then takes at face value.
 */
export function utcTimestampText(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

const DAY_MS = 86_400_000;

/** The calendar day `n` days from a 'YYYY-MM-DD' day (UTC, so no daylight-saving surprises). */
export const addDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day.slice(0, 10)}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

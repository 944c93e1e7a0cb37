/**
 * The simulator's reading of `start`/`end`: the canonical `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), a
 * plain date, or an ISO string with an optional zone, as public clients have sent. Returns µs since
 * 1970, or undefined when the text is none of these.
 */
export function parseApiTime(text: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(zone);
    if (z) offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  const micros = Number(frac.padEnd(6, "0").slice(0, 6) || "0");
  return (ms - offsetMin * 60_000) * 1000 + micros;
}

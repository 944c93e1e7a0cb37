/** The API's canonical time text: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC, no zone. */
export function apiTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, 23).replace("T", " ")}000`;
}

/** Short UTC text for log lines and messages: seconds and fraction only when they are not zero. */
export function shortUtc(d: Date): string {
  const iso = d.toISOString().replace("T", " ").replace("Z", "");
  return iso.replace(/:00\.000$/, "").replace(/\.000$/, "");
}

/**
 * A time given on the command line or in config, read as UTC: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.f]]`,
 * or ISO with `T` and an optional zone. Undefined when it is none of these.
 */
export function parseUtc(text: string): Date | undefined {
  const t = text.trim();
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const z = zone.toUpperCase() === "Z" ? "Z" : zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${z}`);
  if (Number.isNaN(date.getTime()) || (date.getUTCDate() !== Number(d) && zone.toUpperCase() === "Z")) {
    return undefined;
  }
  return date;
}

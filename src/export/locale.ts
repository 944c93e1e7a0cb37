/**
 * How the reports write numbers and dates for their readers (project.yml `locale`): ru is
 * "1 234", "44,6 %", "02.12.2026"; en is "1,234", "44.6%", "2 Dec 2026". Sheet cells stay numbers
 * and ISO dates (the sheet formats them; the date is the upsert key); the email and the labels follow
 * the locale.
 */
export type Locale = "ru" | "en";

const TAG: Record<Locale, string> = { ru: "ru-RU", en: "en-GB" };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n${locale}${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(TAG[locale], options);
    cache.set(key, f);
  }
  return f;
}

function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d${locale}${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(TAG[locale], { ...options, timeZone: "UTC" });
    cache.set(key, f);
  }
  return f;
}

/** A whole number with the locale's grouping: 1 234 / 1,234. */
export function formatInteger(n: number, locale: Locale): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** A number with exactly `places` decimals, or up to 2 when unset: 3,14 / 3.14. */
export function formatDecimal(n: number, locale: Locale, places?: number): string {
  return numberFormat(
    locale,
    places === undefined
      ? { maximumFractionDigits: 2 }
      : { minimumFractionDigits: places, maximumFractionDigits: places },
  ).format(n);
}

/** A fraction as a percent with one decimal: 0.446 → 44,6 % / 44.6%. */
export function formatPercent(fraction: number, locale: Locale): string {
  return numberFormat(locale, {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(fraction);
}

/**
 * A change with its sign: +1 234, −12, +3,5 % (a fraction as a percent), 0 when it rounds to
 * nothing. The minus is U+2212, as typography (and a reader's eye) wants it.
 */
export function formatSigned(
  delta: number,
  locale: Locale,
  options: { places?: number; percent?: boolean } = {},
): string {
  const places = options.places ?? 0;
  const f = numberFormat(locale, {
    ...(options.percent ? { style: "percent" } : {}),
    minimumFractionDigits: places,
    maximumFractionDigits: places,
    signDisplay: "exceptZero",
  });
  return f.format(delta).replace(/^-/, "\u2212");
}

/** A number without digit grouping, for files a spreadsheet parses: 1234,5 / 1234.5. */
export function formatPlain(n: number, locale: Locale, maxPlaces = 4): string {
  return numberFormat(locale, { useGrouping: false, maximumFractionDigits: maxPlaces }).format(n);
}

const dayDate = (day: string) => new Date(`${day.slice(0, 10)}T00:00:00Z`);

/** A 'YYYY-MM-DD' day in full: 02.12.2026 / 2 Dec 2026. */
export function formatDay(day: string, locale: Locale): string {
  const d = dayDate(day);
  if (Number.isNaN(d.getTime())) return day;
  return locale === "ru"
    ? dateFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric" }).format(d)
    : dateFormat(locale, { day: "numeric", month: "short", year: "numeric" }).format(d);
}

/** A day without its year, for the chart and the table: 02.12 / 2 Dec. */
export function formatShortDay(day: string, locale: Locale): string {
  const d = dayDate(day);
  if (Number.isNaN(d.getTime())) return day;
  return locale === "ru"
    ? dateFormat(locale, { day: "2-digit", month: "2-digit" }).format(d)
    : dateFormat(locale, { day: "numeric", month: "short" }).format(d);
}

/** A moment in UTC: 02.12.2026 03:15 UTC / 2 Dec 2026 03:15 UTC. */
export function formatMoment(at: Date, locale: Locale): string {
  const iso = at.toISOString();
  return `${formatDay(iso.slice(0, 10), locale)} ${iso.slice(11, 16)} UTC`;
}

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;
// numeric's limits: digits before the point, after it, and the exponent it reads.
const MAX_INTEGER_DIGITS = 131_072;
const MAX_SCALE = 16_383;
const MAX_EXPONENT = 1_073_741_823;
const NONZERO = /[1-9]/;

/**
 * A JSON number as PostgreSQL's numeric prints it: the digits with the point moved by the exponent,
 * as many decimals as the text had minus the exponent (never fewer than none), no sign on zero.
 * Null when numeric cannot hold it (PostgreSQL refuses the record).
 */
export function numericText(text: string): string | null {
  const m = NUMBER.exec(text);
  if (m === null) return null;
  const decimals = m[1]?.length ?? 0;
  const exponentText = m[2];
  const negative = text.charCodeAt(0) === 45;
  if (exponentText === undefined) return negative && !NONZERO.test(text) ? text.slice(1) : text;
  const exponent = Number(exponentText);
  if (Math.abs(exponent) >= MAX_EXPONENT) return null;
  const digits = text.slice(negative ? 1 : 0, text.length - exponentText.length - 1).replace(".", "");
  const scale = Math.max(0, decimals - exponent);
  if (scale > MAX_SCALE) return null;
  const significant = digits.search(NONZERO);
  if (significant < 0) return scale > 0 ? `0.${"0".repeat(scale)}` : "0";
  // Where the point falls in `digits`: before it, the integer part.
  const point = digits.length - decimals + exponent;
  if (point - significant > MAX_INTEGER_DIGITS) return null;
  let integer: string;
  let fraction: string;
  if (point <= 0) {
    integer = "0";
    fraction = "0".repeat(-point) + digits;
  } else if (point >= digits.length) {
    integer = digits.slice(significant) + "0".repeat(point - digits.length);
    fraction = "";
  } else {
    integer = significant < point ? digits.slice(significant, point) : "0";
    fraction = digits.slice(point);
  }
  return `${negative ? "-" : ""}${integer}${scale > 0 ? `.${fraction}` : ""}`;
}

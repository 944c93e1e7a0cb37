// elt.parse_api_timestamp's test (migration 0021): the API's time text, a 'T' separator accepted.
const API_TIME =
  /^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$/;

/** What elt.parse_api_timestamp reads as a time: the right shape and a real calendar day. */
export function isApiTime(text: string): boolean {
  if (!API_TIME.test(text)) return false;
  const day = Number(text.slice(8, 10));
  if (day <= 28) return true;
  return day <= new Date(Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)), 0)).getUTCDate();
}

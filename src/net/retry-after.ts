/** How long the server asked us to wait (Retry-After: delta-seconds or an HTTP date), in ms. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The Retry-After an error carries: ours (`retryAfterMs`) or the response's header (fetch or plain headers). */
export function retryAfterOf(error: unknown): number | undefined {
  const e = error as { retryAfterMs?: unknown; response?: { headers?: unknown } } | undefined;
  if (typeof e?.retryAfterMs === "number") return e.retryAfterMs;
  const headers = e?.response?.headers as
    | { get?: (name: string) => string | null; [name: string]: unknown }
    | undefined;
  if (!headers) return undefined;
  const value = typeof headers.get === "function" ? headers.get("retry-after") : headers["retry-after"];
  return parseRetryAfter(typeof value === "string" ? value : undefined);
}

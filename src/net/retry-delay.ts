export interface RetrySettings {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The pause before retry number `retry` (1-based): Retry-After when the server gave one, else
 * exponential backoff with full jitter between half and all of it; both capped by maxDelayMs.
 */
export function retryDelay(retry: number, settings: RetrySettings, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, settings.maxDelayMs);
  const backoff = Math.min(settings.baseDelayMs * 2 ** (retry - 1), settings.maxDelayMs);
  return Math.round(backoff * (0.5 + Math.random() * 0.5));
}

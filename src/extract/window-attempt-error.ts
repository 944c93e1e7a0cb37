/**
 * Why one download attempt failed, in the terms the retry loop and the ledger need. `retriable`
 * says whether another attempt may succeed (429, 5xx, network, timeout, a cut or garbled body, a
 * dropped database connection); other failures (401/403/400, invalid records) fail the window.
 */
export class WindowAttemptError extends Error {
  readonly retriable: boolean;
  readonly httpStatus: number | undefined;
  /** From Retry-After, already in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: { retriable: boolean; httpStatus?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WindowAttemptError";
    this.retriable = options.retriable;
    this.httpStatus = options.httpStatus;
    this.retryAfterMs = options.retryAfterMs;
  }
}

import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../errors.ts";
import { log } from "../log/logger.ts";
import { maskSecrets } from "../log/mask.ts";
import { formatDuration } from "../log/timestamp.ts";
import { isTransient } from "./is-transient.ts";
import { retryAfterOf } from "./retry-after.ts";
import { type RetrySettings, retryDelay } from "./retry-delay.ts";

export interface RetryPolicy extends RetrySettings {
  /** What is being attempted, for the WARN line before each retry: "download 2026-11-20", "email". */
  label: string;
}

export interface RetryHooks {
  /**
   * After every failed attempt, before the pause (a ledger row, a cleanup). `final`: no retry
   * follows (terminal, or the last attempt), and the error is rethrown after this hook.
   */
  onFailure?: (error: unknown, attempt: number, final: boolean) => Promise<void> | void;
}

/**
 * The one retry loop for everything elt sends over a network (the API download with its landing,
 * the Sheets export, the email): `fn` is tried up to retries + 1 times while its errors are
 * transient (isTransient), pausing per retryDelay (exponential backoff with jitter, or the
 * server's Retry-After, capped). The last error is rethrown unchanged; the caller words it.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  const total = policy.retries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const final = attempt >= total || !isTransient(error);
      await hooks.onFailure?.(error, attempt, final);
      if (final) throw error;
      const delay = retryDelay(attempt, policy, retryAfterOf(error));
      log.warn(
        `${policy.label}: attempt ${attempt} of ${total} failed: ${maskSecrets(errorMessage(error)).replace(/\.$/, "")}; retrying in ${formatDuration(delay)}`,
      );
      await sleep(delay);
    }
  }
}

import ky, { TimeoutError } from "ky";
import { maskSecrets } from "../log/mask.ts";
import { isTransient, isTransientStatus } from "../net/is-transient.ts";
import { parseRetryAfter } from "../net/retry-after.ts";
import { apiTimestamp } from "./api-timestamp.ts";
import type { TimeWindow } from "./load-ledger.ts";
import { WindowAttemptError } from "./window-attempt-error.ts";

export interface ApiSettings {
  url: string;
  client: string;
  clientKey: string;
  /** For the response to start (status and headers). */
  timeoutMs: number;
  /** For each pause between two pieces of the body. */
  idleTimeoutMs: number;
  /**
   * For the whole attempt, headers and body: a server that trickles a byte now and then never trips
   * the idle timeout, and must not hold the landing transaction and the project lock for hours.
   */
  deadlineMs: number;
}

export interface Download {
  httpStatus: number;
  /** The body as it arrives; errors are WindowAttemptErrors. Consume once. */
  body: AsyncIterable<Uint8Array>;
  /** Bytes received so far. */
  bytes(): number;
  /**
   * Gives up on the response: aborts the request and releases the connection. Call it whenever the
   * attempt fails, since a body never read (landing failed before it started) holds the socket open.
   * Harmless after the body was read.
   */
  cancel(): void;
}

const EXCERPT_BYTES = 4096;

/** A short, one-line, secret-free excerpt of an error body for the log. */
export function bodyExcerpt(text: string, max = 200): string {
  const line = maskSecrets(text.replace(/\s+/g, " ").trim());
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

async function readExcerpt(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } catch {
    // A body that fails while we read the excerpt changes nothing: the status says enough.
  } finally {
    reader.cancel().catch(() => {});
  }
  return bodyExcerpt(Buffer.concat(parts).toString("utf8"));
}

function networkError(error: unknown, what: string): WindowAttemptError {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new WindowAttemptError(`${what}: ${maskSecrets(detail)}`, {
    retriable: isTransient(error),
    cause: error,
  });
}

/**
 * Sends the window's request (ky, no retries of its own: a retry is of the whole window attempt,
 * download and landing together) and hands back the status and the body stream. Non-200 statuses
 * throw, with a body excerpt; which are retriable, and which network errors, is isTransient's call.
 */
export async function openDownload(api: ApiSettings, window: TimeWindow): Promise<Download> {
  const controller = new AbortController();
  let stopped: "idle" | "deadline" | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const abort = (why: "idle" | "deadline") => {
    stopped ??= why;
    controller.abort();
  };
  const deadlineTimer = setTimeout(() => abort("deadline"), api.deadlineMs);
  const arm = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => abort("idle"), api.idleTimeoutMs);
  };
  const disarm = () => {
    clearTimeout(idleTimer);
    clearTimeout(deadlineTimer);
  };
  const deadline = `the attempt's deadline of ${api.deadlineMs / 1000} s (api.deadline_seconds)`;
  let response: Response;
  try {
    response = await ky.get(api.url, {
      searchParams: {
        client: api.client,
        client_key: api.clientKey,
        start: apiTimestamp(window.start),
        end: apiTimestamp(window.end),
      },
      timeout: Math.min(api.timeoutMs, api.deadlineMs),
      retry: 0,
      throwHttpErrors: false,
      signal: controller.signal,
    });
  } catch (error) {
    disarm();
    if (stopped === "deadline") {
      throw new WindowAttemptError(`no response within ${deadline}`, { retriable: true, cause: error });
    }
    if (error instanceof TimeoutError) {
      throw new WindowAttemptError(`no response within ${api.timeoutMs / 1000} s (api.timeout_seconds)`, {
        retriable: true,
        cause: error,
      });
    }
    throw networkError(error, "network error");
  }
  const httpStatus = response.status;
  if (httpStatus !== 200) {
    const excerpt = await readExcerpt(response);
    disarm();
    const retriable = isTransientStatus(httpStatus);
    const reason = `${httpStatus}${response.statusText ? ` ${response.statusText}` : ""}`;
    throw new WindowAttemptError(`HTTP ${reason}${excerpt ? `: ${excerpt}` : ""}`, {
      retriable,
      httpStatus,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    });
  }
  let bytes = 0;
  const stream = response.body;
  async function* body(): AsyncGenerator<Uint8Array> {
    if (!stream) {
      disarm();
      return;
    }
    arm();
    try {
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
        if (stopped) break;
        arm();
        bytes += chunk.length;
        yield chunk;
      }
      if (stopped) throw new Error("aborted");
    } catch (error) {
      if (stopped === "idle") {
        throw new WindowAttemptError(
          `the body stalled for ${api.idleTimeoutMs / 1000} s (api.idle_timeout_seconds) after ${bytes} bytes`,
          { retriable: true, httpStatus, cause: error },
        );
      }
      if (stopped === "deadline") {
        throw new WindowAttemptError(`the body was not complete within ${deadline}: ${bytes} bytes so far`, {
          retriable: true,
          httpStatus,
          cause: error,
        });
      }
      const e = networkError(error, `the connection failed after ${bytes} bytes of the body`);
      throw new WindowAttemptError(e.message, { retriable: true, httpStatus, cause: error });
    } finally {
      disarm();
    }
  }
  const cancel = () => {
    disarm();
    if (stream && !stream.locked) stream.cancel().catch(() => {});
    controller.abort();
  };
  return { httpStatus, body: body(), bytes: () => bytes, cancel };
}

import { isConnectionError } from "../db/is-connection-error.ts";
import { isEltError } from "../errors.ts";

/**
 * Socket and DNS failures (Node, undici, nodemailer's own names for them): the other side, or the
 * way to it, may be back on the next attempt.
 */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  // A DNS answer that may come next time; ENOTFOUND is a wrong host name, as for the database.
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "ECONNECTION",
  "ESOCKET",
  "EDNS",
  "TimeoutError",
]);

/** nodemailer: refused credentials, no valid recipient, a refused message, a TLS mismatch. */
const TERMINAL_CODES = new Set(["EAUTH", "ENOAUTH", "EOAUTH2", "EENVELOPE", "EMESSAGE", "ETLS"]);

/** Google API reasons and statuses that mean "later": quota, rate limits, a backend hiccup. */
const GOOGLE_TRANSIENT = new Set([
  "rateLimitExceeded",
  "userRateLimitExceeded",
  "backendError",
  "internalError",
  "UNAVAILABLE",
  "RESOURCE_EXHAUSTED",
  "DEADLINE_EXCEEDED",
  "ABORTED",
  "INTERNAL",
]);

interface ErrorShape {
  retriable?: unknown;
  httpStatus?: unknown;
  code?: unknown;
  status?: unknown;
  responseCode?: unknown;
  name?: unknown;
  cause?: unknown;
  errors?: { reason?: unknown }[];
  response?: { status?: unknown; headers?: unknown; data?: { error?: ErrorShape } };
}

/** A timeout, 429 or a server error: the request may succeed later; other 4xx never will. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The HTTP status an error carries (ky, gaxios, our own errors), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as ErrorShape | undefined;
  for (const v of [e?.httpStatus, e?.status, e?.response?.status, e?.code]) {
    if (typeof v === "number" && v >= 100 && v < 600) return v;
  }
  return undefined;
}

/** Google's error reasons and status names, wherever the client put them. */
function googleReasons(e: ErrorShape): string[] {
  const data = e.response?.data?.error;
  return [
    ...(e.errors ?? []).map((x) => x.reason),
    e.status,
    ...(data?.errors ?? []).map((x) => x.reason),
    data?.status,
  ].filter((v): v is string => typeof v === "string");
}

/**
 * The one notion of transient vs terminal for everything elt sends over a network (the API
 * download, Google Sheets, SMTP). Transient: network errors and timeouts, a lost database
 * connection, HTTP 408/429/5xx, Google's rate-limit and backend reasons (a 403 rateLimitExceeded
 * too), SMTP 4xx replies. Terminal: our own errors (configuration, usage), other 4xx (refused
 * credentials, a rejected request), SMTP 5xx, refused SMTP credentials or recipients, and anything
 * not recognised (a bug is not fixed by waiting). An error that says `retriable` is taken at its word.
 */
export function isTransient(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object" || depth > 4) return false;
  const e = error as ErrorShape;
  if (typeof e.retriable === "boolean") return e.retriable;
  if (isEltError(error)) return error.code === "DATABASE_UNAVAILABLE";
  if (isConnectionError(error)) return true;
  if (googleReasons(e).some((r) => GOOGLE_TRANSIENT.has(r))) return true;
  const status = httpStatusOf(error);
  if (status !== undefined) return isTransientStatus(status);
  if (typeof e.responseCode === "number") return e.responseCode >= 400 && e.responseCode < 500;
  const code = typeof e.code === "string" ? e.code : undefined;
  if (code !== undefined && TERMINAL_CODES.has(code)) return false;
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || e.name === "TimeoutError") return true;
  // fetch wraps the socket's error: "fetch failed", cause ECONNREFUSED.
  return isTransient(e.cause, depth + 1);
}

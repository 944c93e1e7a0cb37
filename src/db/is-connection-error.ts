const SOCKET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  // A DNS answer that may come next time (a resolver restarting); ENOTFOUND is a wrong host name.
  "EAI_AGAIN",
]);
// pg's own wording when the socket closed under it or the client is no longer usable.
const MESSAGES =
  /Connection terminated|Client has encountered a connection error|Client was closed|ECONNRESET|EPIPE|ECONNREFUSED/;

/**
 * True when the error says the connection to PostgreSQL was lost or refused (worth a reconnect and
 * retry), not that the statement itself was wrong: SQLSTATE 57P01 admin shutdown
 * (pg_terminate_backend), 57P02 crash shutdown, 57P03 cannot connect now, class 08 connection
 * exceptions, socket errors. Looks through `cause` too, since callers wrap errors.
 */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const code = String((error as { code?: unknown }).code ?? "");
  if (code === "57P01" || code === "57P02" || code === "57P03" || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (SOCKET_CODES.has(code)) return true;
  // A Unix socket that is not there (the embedded server stopped, or has not made it yet).
  if (code === "ENOENT" && /\.s\.PGSQL\./.test(String((error as { message?: unknown }).message))) return true;
  const message = (error as { message?: unknown }).message;
  if (typeof message === "string" && MESSAGES.test(message)) return true;
  return isConnectionError((error as { cause?: unknown }).cause, depth + 1);
}

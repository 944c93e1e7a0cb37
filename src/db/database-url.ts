/**
 * Parses a PostgreSQL connection string the way pg does (pg-connection-string: a leading `/` is a
 * socket folder, an empty host `user@/db` is allowed), without ever putting the text in an error:
 * it holds the password. Returns undefined when pg could not parse it either.
 */
export function parseDatabaseUrl(text: string): { host: string; port: string; database: string } | undefined {
  if (text.startsWith("/")) {
    const [host = "", database = ""] = text.split(" ");
    return { host, port: "", database };
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return undefined;
  let str = text;
  if (/ |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(str)) str = encodeURI(str).replace(/%25(\d\d)/g, "%$1");
  let url: URL;
  let emptyHost = false;
  try {
    url = new URL(str);
  } catch {
    try {
      url = new URL(str.replace("@/", "@___DUMMY___/"));
      emptyHost = true;
    } catch {
      return undefined;
    }
  }
  const host = url.searchParams.get("host") ?? (emptyHost ? "" : url.hostname);
  const database = url.protocol === "socket:" ? (url.searchParams.get("db") ?? "") : url.pathname.slice(1);
  return { host, port: url.port, database };
}

/** The message for a connection string that does not parse; never echoes it (it holds the password). */
export const INVALID_URL_MESSAGE = "not a valid URL; percent-encode special characters in the password";

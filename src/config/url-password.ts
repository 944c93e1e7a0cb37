/**
 * Every string that may be the password of a connection URL, for registerSecret. `new URL` gives
 * the decoded password of a well-formed URL; a password with an unencoded `/` or `@` makes it throw
 * (or split the URL elsewhere), so the raw userinfo text up to the last `@` is taken as well.
 */
export function urlPasswords(url: string | undefined): string[] {
  if (!url) return [];
  const found = new Set<string>();
  try {
    const password = new URL(url).password;
    if (password) {
      found.add(password);
      found.add(safeDecode(password));
    }
  } catch {
    // Not a URL; the text match below still finds the password.
  }
  const raw = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:(\S+)@/i.exec(url)?.[1];
  if (raw) {
    found.add(raw);
    found.add(safeDecode(raw));
  }
  return [...found];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

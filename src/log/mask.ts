/**
 * Secrets known to this process (config passwords, client_key, private keys). Every log line and
 * every error message shown to a person goes through maskSecrets.
 */
const secrets = new Set<string>();
const MASK = "***";

export function registerSecret(value: string | undefined | null): void {
  // Very short values would mask ordinary words; real secrets are longer than this.
  if (value && value.length >= 4) secrets.add(value);
}

export function clearSecrets(): void {
  secrets.clear();
}

/**
 * URL userinfo (`scheme://user:password@`) is masked even when the URL was never registered. The
 * password runs to the last `@` before whitespace or the next `scheme://`, so an unencoded `/` or `@`
 * in it is masked whole (at worst some host text is masked too, never a password shown).
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)((?:(?!:\/\/)\S)+)@/gi;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const CLIENT_KEY_PARAM = /([?&]client_key=)[^&\s"']+/gi;

export function maskSecrets(text: string): string {
  let out = text
    .replace(PRIVATE_KEY, MASK)
    .replace(URL_PASSWORD, `$1${MASK}@`)
    .replace(CLIENT_KEY_PARAM, `$1${MASK}`);
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
    // The same secret as it appears inside URLs and JSON.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join(MASK);
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret) out = out.split(json).join(MASK);
  }
  return out;
}

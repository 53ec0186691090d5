// The database password comes from the editor's secret storage, never from settings or files, and never reaches a log.

import { rememberSecret, redactSecrets as redactAll } from '../engine/redact';

/** Puts the password into a postgres:// URL that names a user but no password. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  rememberSecret(password);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url; // a keyword/value connection string: left as written
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || parsed.password) return url;
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** Removes a password, and any password written in a URL, from a message before it is logged or shown (../engine/redact.ts). */
export function redactSecrets(message: string, password: string | undefined): string {
  return redactAll(message, [password]);
}

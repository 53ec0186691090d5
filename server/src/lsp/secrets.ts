// The database password comes from the editor's secret storage, never from settings or files, and never reaches a log.

/** Puts the password into a postgres:// URL that names a user but no password. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
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

/** Removes a password, and any password written in a URL, from a message before it is logged or shown. */
export function redactSecrets(message: string, password: string | undefined): string {
  let text = message.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)[^@/\s]*@/gi, '$1***@');
  if (password) {
    text = text.split(password).join('***');
    const encoded = encodeURIComponent(password);
    if (encoded !== password) text = text.split(encoded).join('***');
  }
  return text;
}

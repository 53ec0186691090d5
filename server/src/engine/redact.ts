// The one place that keeps passwords out of what pglens prints: CLI output and errors in every format, the language
// server's log, status and messages, the VS Code client's output. Two tools:
//  - redactUrl(url): the URL without its password, also for URLs that no URL parser accepts (a scheme with one slash
//    or none, no scheme at all, `@ : / ? # %` written unencoded in the password, IPv6 hosts, `?password=`);
//  - redactSecrets(text, known): any text without the passwords pglens was given (in every form they may be printed:
//    as written, decoded, percent-encoded, JSON-escaped) and without anything shaped like URL credentials.
// Every password pglens is handed is remembered for the life of the process (rememberSecret), so an output path
// that only has a message in hand still removes it.

/** Query parameters that carry secrets (or name where they are): never shown. */
const SECRET_PARAMS = /^(password|sslpassword|sslkey|sslcert|passfile)$/i;
/** A scheme after which credentials follow: postgres:, postgresql: (with 0 to 3 slashes, as people mistype them), or any scheme with //. */
const SCHEME = /^(?:postgres(?:ql)?:\/{0,3}|[a-z][a-z0-9+.-]*:\/\/)/i;
/** Shorter passwords are only removed where they appear as URL credentials: replacing every "ab" would garble text. */
const MIN_KNOWN_SECRET_LENGTH = 3;

const remembered = new Set<string>();

/** Keeps a password out of every later redactSecrets() of this process. */
export function rememberSecret(secret: string | undefined): void {
  if (secret && secret.length >= MIN_KNOWN_SECRET_LENGTH) remembered.add(secret);
}

/** Remembers the password of a connection URL (and of its `?password=`), in every form it was written. */
export function rememberUrlSecrets(url: string | undefined): void {
  if (url) for (const secret of passwordsInUrl(url)) rememberSecret(secret);
}

/**
 * Where the credentials of a URL-like string are: `start` (after the scheme and its slashes) to `at` (the LAST `@`
 * before the host, since an unencoded password may contain `@`). Undefined when the string has no `@`.
 */
function credentialSpan(url: string): { start: number; at: number } | undefined {
  const scheme = SCHEME.exec(url);
  const start = scheme ? scheme[0].length : 0;
  const at = url.lastIndexOf('@');
  return at >= start ? { start, at } : undefined;
}

/** The user and password of a URL-like string, read the forgiving way redactUrl reads them (as written, not decoded). */
export function splitCredentials(url: string): { user: string; password?: string; withoutPassword: string } | undefined {
  const span = credentialSpan(url);
  if (!span) return undefined;
  const userinfo = url.slice(span.start, span.at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { user: userinfo, withoutPassword: url };
  return {
    user: userinfo.slice(0, colon),
    password: userinfo.slice(colon + 1),
    withoutPassword: url.slice(0, span.start) + userinfo.slice(0, colon) + url.slice(span.at),
  };
}

/** Every password a URL carries: its credentials (as written and decoded) and secret query parameters. */
export function passwordsInUrl(url: string): string[] {
  const found: string[] = [];
  const credentials = splitCredentials(url);
  if (credentials?.password) found.push(credentials.password, safeDecode(credentials.password));
  const query = url.indexOf('?', credentials ? url.lastIndexOf('@') : 0);
  if (query >= 0) {
    for (const pair of url.slice(query + 1).split(/[&#]/)) {
      const eq = pair.indexOf('=');
      if (eq > 0 && /^(ssl)?password$/i.test(pair.slice(0, eq))) found.push(pair.slice(eq + 1), safeDecode(pair.slice(eq + 1).replace(/\+/g, ' ')));
    }
  }
  return [...new Set(found.filter((s) => s.length > 0))];
}

/**
 * The URL without its password and without secret query parameters, for messages and labels:
 * `postgres://app:s3cret@db:5432/dev?sslmode=require&password=x` -> `postgres://app@db:5432/dev?sslmode=require`.
 * Malformed URLs too: `postgres:app:pw@db/x` -> `postgres:app@db/x`, `app:pw@::x` -> `app@::x`,
 * `postgres://u:p@ss:w/rd%?#1@db/x` -> `postgres://u@db/x`. Text that is no URL at all (`host=db password=x`) gets
 * its `password=` values replaced.
 */
export function redactUrl(url: string): string {
  const credentials = splitCredentials(url);
  let text = credentials ? credentials.withoutPassword : url;
  const hostStart = credentials ? text.lastIndexOf('@') + 1 : (SCHEME.exec(text)?.[0].length ?? 0);
  const query = text.indexOf('?', hostStart);
  if (query >= 0) {
    const hash = text.indexOf('#', query);
    const end = hash >= 0 ? hash : text.length;
    const kept = text
      .slice(query + 1, end)
      .split('&')
      .filter((pair) => !SECRET_PARAMS.test(pair.split('=')[0]));
    text = text.slice(0, query) + (kept.length ? `?${kept.join('&')}` : '') + text.slice(end);
  }
  return redactKeywordPasswords(text);
}

/**
 * The text without any of the known secrets (and the ones remembered by this process), in any form they may be
 * printed in, and without URL credentials or `password=` values of passwords pglens was never told about.
 */
export function redactSecrets(text: string, knownSecrets: Iterable<string | undefined> = []): string {
  let result = text;
  for (const form of secretForms(knownSecrets)) {
    if (result.includes(form)) result = result.split(form).join('***');
  }
  if (result.includes('@')) result = result.replace(/\S+/g, redactToken);
  return redactKeywordPasswords(result);
}

/** Copies a JSON-like value with redactSecrets applied to every string in it. */
export function redactDeep<T>(value: T, knownSecrets: Iterable<string | undefined> = []): T {
  const known = [...knownSecrets];
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return redactSecrets(v, known);
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, member]) => [k, visit(member)]));
    return v;
  };
  return visit(value) as T;
}

/** Each secret as written, decoded, percent-encoded and JSON-escaped; longest first, so no part of one survives. */
function secretForms(knownSecrets: Iterable<string | undefined>): string[] {
  const forms = new Set<string>();
  for (const secret of [...knownSecrets, ...remembered]) {
    if (!secret || secret.length < MIN_KNOWN_SECRET_LENGTH) continue;
    const decoded = safeDecode(secret);
    for (const s of [secret, decoded]) {
      forms.add(s);
      forms.add(encodeURIComponent(s));
      forms.add(encodeURI(s));
      forms.add(JSON.stringify(s).slice(1, -1));
    }
  }
  return [...forms].filter((f) => f.length >= MIN_KNOWN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * One whitespace-free piece of text that may hold URL credentials. With a scheme (`x://`, `postgres:`) anything
 * between it and the last `@` is credentials; without one, only `user:password@host` where the user looks like a
 * user name and a host follows, so SQL such as `col::jsonb@>x` is left alone.
 */
function redactToken(token: string): string {
  const at = token.lastIndexOf('@');
  if (at < 0) return token;
  const schemeMatch = /(?:postgres(?:ql)?:\/{0,3}|[a-z][a-z0-9+.-]*:\/\/)/i.exec(token);
  let start: number;
  if (schemeMatch && schemeMatch.index < at) {
    start = schemeMatch.index + schemeMatch[0].length;
  } else {
    start = /^[("'`<[{=,]*/.exec(token)![0].length;
    const colon = token.indexOf(':', start);
    if (colon < 0 || colon > at) return token;
    if (!/^[\w.%+-]+$/.test(token.slice(start, colon)) || !/^[\w[]/.test(token.slice(at + 1))) return token;
  }
  const userinfo = token.slice(start, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return token;
  return token.slice(0, start) + userinfo.slice(0, colon) + token.slice(at);
}

/** libpq keyword strings and query strings: `password=x` -> `password=***`. */
function redactKeywordPasswords(text: string): string {
  return text.replace(/\b((?:ssl)?password=)('[^']*'|[^\s&'"]+)/gi, '$1***');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

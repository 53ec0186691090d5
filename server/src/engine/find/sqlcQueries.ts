// sqlc query files (https://docs.sqlc.dev): each query follows a `-- name: GetUser :one` comment, and sqlc turns its
// named parameters into PostgreSQL's `$n` before the query is prepared: `sqlc.arg(name)`, `sqlc.narg(name)` (nullable),
// `sqlc.slice(name)` and the shorthand `@name`, the same name always the same number, numbered after any `$n` written.
// Read as written, PostgreSQL would take `@name` for its absolute-value operator and `sqlc.arg(x)` for a function of a
// column x: every such query would be a false plan error. `sqlc.embed(t)` selects the columns of `t` (`t.*`).

import type { SqlSite, TemplateParameter } from '../types';
import { fileOffsetOf, spliceSite, type SiteEdit } from './siteEdits';
import { highestParameterNumber, isIdentifierPart, isIdentifierStart, skipQuotedOrComment, wordEnd } from './sqlLexer';

/** The comment sqlc requires before each query: `-- name: <Name> :<command>`. */
const QUERY_NAME = /^--\s*name:\s*[A-Za-z_]\w*\s+:(one|many|exec|execrows|execresult|execlastid|copyfrom|batchexec|batchmany|batchone)\b/m;

/** Whether a .sql file is a sqlc query file (its queries are named for sqlc's generator). */
export function isSqlcQueryFile(text: string): boolean {
  return QUERY_NAME.test(text);
}

/** `sqlc.arg(name)`, `sqlc.narg('name')`, `sqlc.slice("name")`, `sqlc.embed(t)`: the function and its argument. */
const SQLC_CALL = /^sqlc\s*\.\s*(arg|narg|slice|embed)\s*\(\s*(?:([A-Za-z_][\w$]*)|'([^']+)'|"([^"]+)")\s*\)/i;

/** Characters of PostgreSQL operators: `@` right after one is part of that operator (`<@`, `@@`), not a parameter. */
const OPERATOR_CHARACTERS = new Set('+-*/<>=~!@#%^&|`?');

/**
 * The site with sqlc's named parameters written as `$n` (each occurrence a parameter mapping to what it replaced) and
 * `sqlc.embed(t)` as `t.*`; the site unchanged when it has none.
 */
export function withSqlcParameters(site: SqlSite): SqlSite {
  const source = site.text;
  if (!/@|sqlc\s*\./i.test(source)) return site;
  const replacements: { start: number; end: number; name?: string; text?: string }[] = [];
  const skip = { unterminated: false, comment: false };
  for (let i = 0; i < source.length; ) {
    const after = skipQuotedOrComment(source, i, skip);
    if (after >= 0) {
      i = after;
      continue;
    }
    const c = source.charCodeAt(i);
    const previous = i > 0 ? source.charCodeAt(i - 1) : 0;
    if ((c === 115 || c === 83) /* s, S */ && !isIdentifierPart(previous)) {
      const call = SQLC_CALL.exec(source.slice(i, i + 200));
      if (call) {
        const name = call[2] ?? call[3] ?? call[4];
        const end = i + call[0].length;
        if (call[1].toLowerCase() === 'embed') replacements.push({ start: i, end, text: `${/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name}"`}.*` });
        else replacements.push({ start: i, end, name: name.toLowerCase() });
        i = end;
        continue;
      }
    }
    if (c === 64 /* @ */ && isIdentifierStart(source.charCodeAt(i + 1)) && !OPERATOR_CHARACTERS.has(source[i - 1] ?? '')) {
      let end = i + 2;
      while (end < source.length && isIdentifierPart(source.charCodeAt(end))) end++;
      replacements.push({ start: i, end, name: source.slice(i + 1, end).toLowerCase() });
      i = end;
      continue;
    }
    i = isIdentifierPart(c) ? wordEnd(source, i) : i + 1;
  }
  if (replacements.length === 0) return site;

  const numbers = new Map<string, number>();
  let highest = highestParameterNumber(source);
  const edits: SiteEdit[] = replacements.map((replacement) => {
    if (replacement.name === undefined) return { start: replacement.start, end: replacement.end, text: replacement.text!, parameters: [] };
    let number = numbers.get(replacement.name);
    if (number === undefined) numbers.set(replacement.name, (number = ++highest));
    const placeholder = `$${number}`;
    const parameter: TemplateParameter = {
      index: number,
      sqlStart: 0,
      sqlLength: placeholder.length,
      fileStart: fileOffsetOf(site, replacement.start),
      fileEnd: fileOffsetOf(site, replacement.end - 1) + 1,
      expressionText: source.slice(replacement.start, replacement.end),
    };
    return { start: replacement.start, end: replacement.end, text: placeholder, parameters: [parameter] };
  });
  const rewritten = spliceSite(site, edits, highest);
  // sqlc.embed(t) is pglens's writing, not the file's: if the statement then fails to parse, that is not the file's error.
  return replacements.some((replacement) => replacement.name === undefined) ? { ...rewritten, assembled: true } : rewritten;
}

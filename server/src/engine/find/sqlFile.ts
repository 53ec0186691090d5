// A .sql file is one site per statement; the splitting (sqlLexer.ts) follows psql: a semicolon ends a
// statement unless it is inside a string, a quoted identifier, a dollar quote, a comment or the
// BEGIN ATOMIC ... END body of a CREATE FUNCTION/PROCEDURE. psql meta-commands (`\set`, `\i`, `\gexec`)
// are not SQL and are left out, and so are the data lines of `COPY ... FROM stdin` that pg_dump writes.
// In sqlc query files, sqlc's named parameters become `$n` as sqlc writes them (sqlcQueries.ts).

import type { SqlSite } from '../types';
import { splitSqlStatements } from './sqlLexer';
import { isSqlcQueryFile, withSqlcParameters } from './sqlcQueries';

export { splitSqlStatements };

export function findSqlInSqlFile(file: string, text: string): SqlSite[] {
  // A byte order mark (editors on Windows write one) is not SQL: read as a space, so offsets stay those of the file.
  if (text.charCodeAt(0) === 0xfeff) text = ` ${text.slice(1)}`;
  const sqlc = isSqlcQueryFile(text);
  return splitSqlStatements(text).map((span) => {
    const length = span.end - span.start;
    const site: SqlSite = {
      file,
      origin: 'sql-file',
      text: text.slice(span.start, span.end),
      segments: [{ sqlStart: 0, fileStart: span.start, length }],
      parameters: [],
      parameterCount: span.parameterCount,
      fileStart: span.start,
      fileEnd: span.end,
    };
    return sqlc ? withSqlcParameters(site) : site;
  });
}


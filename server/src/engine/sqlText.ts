// SQL text that pglens writes itself: identifiers and literals quoted by one function each, source slices cut on
// the scanner's token bounds, and every generated statement parsed again before it is sent or written
// (`assertSingleStatement`). Nothing here trusts a regex over SQL text: PostgreSQL's own scanner and parser
// (libpg_query) decide what a token, a comment or a statement is.

import { parseToJson, scanToJson } from './parse/libpgQuery';
import type { AstNode } from './parse/parse';
import { Utf8OffsetMap } from './text';

/** Generated SQL that pglens refuses to send or write: it is not the one statement pglens meant. */
export class GeneratedSqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratedSqlError';
  }
}

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;
/** The scanner's keyword categories: 0 not a keyword, 1 unreserved (usable as a bare name everywhere). */
const UNRESERVED_KEYWORD = 1;
const bareSafe = new Map<string, boolean>();

/**
 * A name as PostgreSQL's quote_identifier writes it: bare when it is lower-case letters, digits, `_` and `$` and not a
 * keyword that needs quoting (the scanner tells which), quoted otherwise. Before the parser is loaded every name is
 * quoted, which is always correct.
 */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new GeneratedSqlError('an identifier cannot contain a NUL character');
  if (PLAIN_IDENTIFIER.test(name) && isBareSafe(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

function isBareSafe(name: string): boolean {
  const known = bareSafe.get(name);
  if (known !== undefined) return known;
  let tokens;
  try {
    tokens = scanToJson(name);
  } catch {
    return false; // parser not loaded: quoting is the safe answer, and it is not remembered
  }
  const safe = tokens.length === 1 && tokens[0].start === 0 && tokens[0].end === Buffer.byteLength(name) && tokens[0].keywordKind <= UNRESERVED_KEYWORD;
  if (bareSafe.size > 10_000) bareSafe.clear();
  bareSafe.set(name, safe);
  return safe;
}

/** `schema.name`, each part quoted; the schema is left out when it is `omitSchema` (e.g. "public") or empty. */
export function quoteQualifiedName(schema: string | undefined, name: string, omitSchema?: string): string {
  if (!schema || schema === omitSchema) return quoteIdentifier(name);
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/**
 * A string literal in the standard_conforming_strings = on form pglens pins for its sessions: quotes doubled,
 * backslashes literal. Never E'' (pglens writes no escapes).
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new GeneratedSqlError('a string literal cannot contain a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------------------------------------------
// System columns

/**
 * PostgreSQL's system columns (docs, 5.6 "System Columns"): every table has them, no user column may take their
 * names, and no index can hold them ("index creation on system columns is not supported"). A row found by `ctid` is
 * fetched by a TID scan, not through an index.
 */
const SYSTEM_COLUMNS = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid']);

export function isSystemColumn(name: string): boolean {
  return SYSTEM_COLUMNS.has(name);
}

/**
 * The columns an expression names, read by PostgreSQL's parser (`t.ctid`, `"Created At"`, `(xmin)::text`), each with
 * its qualifier when written. Undefined when the text does not parse as one expression: EXPLAIN writes some
 * conditions PostgreSQL does not read back (`(hashed SubPlan 1)`).
 */
export function expressionColumns(expression: string): { qualifier?: string; column: string }[] | undefined {
  let parsed: AstNode;
  try {
    parsed = parseToJson(`SELECT ${expression}`);
  } catch {
    return undefined;
  }
  const statements = (parsed.stmts ?? []) as AstNode[];
  if (statements.length !== 1) return undefined;
  const columns: { qualifier?: string; column: string }[] = [];
  const visit = (node: AstNode): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const fields = node.ColumnRef?.fields as AstNode[] | undefined;
    if (fields && fields.every((field) => field.String)) {
      const names = fields.map((field) => field.String.sval as string);
      columns.push({ column: names[names.length - 1], qualifier: names.length > 1 ? names[names.length - 2] : undefined });
    }
    for (const key in node) visit(node[key]);
  };
  visit(statements[0].stmt);
  return columns;
}

/**
 * Whether a condition (a plan's Filter or Hash Cond, a WHERE clause) names columns, of `qualifier` when given, and
 * each of them is a system column: no index can serve it. False when it cannot be read (then nothing is concluded).
 */
export function comparesOnlySystemColumns(condition: string, qualifier?: string): boolean {
  const columns = expressionColumns(condition)?.filter((ref) => qualifier === undefined || ref.qualifier === qualifier);
  return columns !== undefined && columns.length > 0 && columns.every((ref) => isSystemColumn(ref.column));
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

export interface SqlToken {
  /** UTF-16 offsets in the scanned text. */
  start: number;
  end: number;
  comment: boolean;
}

/** The scanner's tokens of `text` (UTF-16 offsets), or undefined when the scanner refuses it (an unterminated quote). */
export function scanTokens(text: string): SqlToken[] | undefined {
  let raw;
  try {
    raw = scanToJson(text);
  } catch {
    return undefined;
  }
  const offsets = new Utf8OffsetMap(text);
  return raw.map((t) => ({ start: offsets.toUtf16(t.start), end: offsets.toUtf16(t.end), comment: t.tokenName === 'C_COMMENT' || t.tokenName === 'SQL_COMMENT' }));
}

// ---------------------------------------------------------------------------------------------------------------
// Trees

/** A deep copy of a parse tree without `location` fields, for comparing trees parsed from different texts. */
export function withoutLocations(node: AstNode): AstNode {
  if (Array.isArray(node)) return node.map(withoutLocations);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(node)) if (key !== 'location') copy[key] = withoutLocations(node[key]);
  return copy;
}

/** Whether two parse trees are the same, `location` fields aside. */
export function sameTree(a: AstNode, b: AstNode): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameTree(item, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const keysA = Object.keys(a).filter((k) => k !== 'location');
  const keysB = Object.keys(b).filter((k) => k !== 'location');
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameTree(a[key], b[key]));
}

// ---------------------------------------------------------------------------------------------------------------
// The one gate for generated SQL

const KIND_NAMES: Record<string, string> = {
  IndexStmt: 'CREATE INDEX',
  DropStmt: 'DROP',
  CreateExtensionStmt: 'CREATE EXTENSION',
  SelectStmt: 'SELECT',
};

/**
 * Parses SQL pglens generated and returns the body of its one statement, which must be of `expectedKind`
 * (e.g. "IndexStmt") and pass `check` (which returns what is wrong, or undefined). Anything else — two statements,
 * another kind, a syntax error, a NUL byte — throws GeneratedSqlError: such text is never sent nor written.
 */
export function assertSingleStatement(sql: string, expectedKind: string, check?: (body: AstNode) => string | undefined): AstNode {
  const what = KIND_NAMES[expectedKind] ?? expectedKind;
  if (sql.includes('\u0000')) throw new GeneratedSqlError(`pglens refused generated SQL: a NUL byte in what should be one ${what} statement`);
  let parsed: AstNode;
  try {
    parsed = parseToJson(sql);
  } catch (error) {
    throw new GeneratedSqlError(`pglens refused generated SQL: it does not parse as one ${what} statement (${(error as Error).message})`);
  }
  const statements = (parsed.stmts ?? []) as AstNode[];
  if (statements.length !== 1) throw new GeneratedSqlError(`pglens refused generated SQL: ${statements.length} statements where one ${what} was meant`);
  const node = statements[0].stmt ?? {};
  const kind = Object.keys(node)[0];
  if (kind !== expectedKind) throw new GeneratedSqlError(`pglens refused generated SQL: a ${kind ?? 'empty'} statement where one ${what} was meant`);
  const problem = check?.(node[kind]);
  if (problem) throw new GeneratedSqlError(`pglens refused generated SQL: ${problem}`);
  return node[kind];
}

/**
 * `CREATE INDEX [CONCURRENTLY] ...` on exactly the table meant (schema "public" may be implicit), optionally with
 * the index name meant: the gate for every index definition pglens plans with, suggests or writes.
 */
export function assertCreateIndex(sql: string, target: { schema: string; table: string; name?: string }): AstNode {
  return assertSingleStatement(sql, 'IndexStmt', (index) => {
    const relation = index.relation ?? {};
    const schemaName: string = relation.schemaname ?? 'public';
    if (relation.relname !== target.table || schemaName !== target.schema) {
      return `CREATE INDEX on ${String(relation.schemaname ?? '')}.${String(relation.relname)} where ${target.schema}.${target.table} was meant`;
    }
    if (target.name !== undefined && index.idxname !== target.name) return `an index named ${String(index.idxname)} where ${target.name} was meant`;
    return undefined;
  });
}

/**
 * The placeholder of another tool where PostgreSQL's parser stopped (`offset` into `sql`): named parameters `:name`,
 * `:'name'`, `:"name"` (psql variables, pgtyped, aiosql, SQLAlchemy, sqlx), `$name`, `$name!` and `$$name(...)`
 * (pgtyped), `${name}`, `#{name}` (MyBatis), `{{ ... }}` and `{% ... %}` (dbt, Jinja). None is PostgreSQL syntax,
 * and a parse error at one says the SQL is a template for that tool, not that it is wrong. Undefined otherwise (a
 * `::` cast, `$1`, a dollar quote).
 */
export function otherToolPlaceholderAt(sql: string, offset: number): { text: string; start: number; end: number } | undefined {
  const after = sql.slice(offset, offset + 200);
  const found =
    /^(?::(?:[A-Za-z_]\w*!?|'[A-Za-z_]\w*'|"[A-Za-z_]\w*")|\$\$[A-Za-z_]\w*(?=\s*\()|\$[A-Za-z_]\w*!?|\$\{[^}\n]*\}|\{\{[^\n]*?\}\}|\{%[^\n]*?%\})/.exec(after);
  if (found && !(found[0].startsWith(':') && sql[offset - 1] === ':')) return { text: found[0], start: offset, end: offset + found[0].length };
  // MyBatis's `#{name}`: PostgreSQL reads `#` as an operator and stops at the brace after it.
  if (sql[offset - 1] === '#') {
    const hash = /^\{[^}\n]*\}/.exec(after);
    if (hash) return { text: `#${hash[0]}`, start: offset - 1, end: offset + hash[0].length };
  }
  return undefined;
}

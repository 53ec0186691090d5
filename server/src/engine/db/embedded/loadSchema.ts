// Applies the workspace's schema files to the embedded database one statement at a time. A migration written
// for a production server often holds things an in-process PostgreSQL cannot do (an extension it does not
// ship, roles, psql meta-commands); each such statement is recorded once with its file and line and skipped,
// so one odd line never costs the whole schema.

import * as path from 'node:path';
import { DEFAULT_MAX_SOURCE_BYTES, readWorkspaceTextFile } from '../../files';
import type { PGlite } from '@electric-sql/pglite';
import { loadParser, parseSite, skipLeadingTrivia } from '../../parse/parse';
import { LineIndex } from '../../text';
import type { SqlSite } from '../../types';
import { isExtensionAvailable } from './extensions';
import { quoteIdentifier } from '../../sqlText';
import { withoutDownCode } from '../../migrationScope';
import { isScriptMigration, scriptMigrationSql } from './scriptMigrations';

/** A schema statement the embedded database could not apply; it was skipped. */
export interface SchemaProblem {
  /** Path relative to the workspace root, forward slashes. */
  file: string;
  /** 1-based line where the statement starts. */
  line: number;
  reason: string;
  /**
   * The statement's kind ("CreateStmt"; "CREATE TABLE" when the file was split lexically), or "file" for a schema
   * file that could not be read: a failed CREATE TABLE means the embedded schema is not the one the code runs against.
   */
  kind?: string;
}

export interface SchemaFile {
  /** Absolute path. */
  path: string;
  /** Empty when the file was not read (see skippedReason). */
  text: string;
  /** Why the file was not read: not a regular file, too large, a symlink out of the workspace. */
  skippedReason?: string;
}

export interface LoadSchemaResult {
  problems: SchemaProblem[];
  statementsApplied: number;
  statementsSkipped: number;
}

interface SchemaStatement {
  text: string;
  /** UTF-16 offset in the file. */
  start: number;
  /** Statement kind from the parser ("CreateStmt"), or undefined when the file had to be split lexically. */
  kind?: string;
  node?: Record<string, unknown>;
}

export async function readSchemaFiles(paths: string[], options: { root?: string; maxBytes?: number } = {}): Promise<SchemaFile[]> {
  return paths.map((file) => {
    const read = readWorkspaceTextFile(file, { root: options.root, maxBytes: options.maxBytes ?? DEFAULT_MAX_SOURCE_BYTES });
    // A dbmate or goose file keeps its rollback beside the migration: applied, `-- migrate:down`'s DROP TABLE would
    // undo the table just created. Blanked, lines and columns of problems stay the file's.
    return read.ok ? { path: file, text: withoutDownCode(file, read.text) ?? read.text } : { path: file, text: '', skippedReason: read.reason };
  });
}

/**
 * Applies `files` in order. Transaction control in the files (BEGIN/COMMIT) is dropped: every statement runs
 * on its own, so a failed statement cannot abort the ones after it.
 */
export async function applySchemaFiles(
  db: PGlite,
  files: SchemaFile[],
  workspaceRoot: string,
  availableExtensions: ReadonlySet<string>,
): Promise<LoadSchemaResult> {
  await loadParser();
  const problems: SchemaProblem[] = [];
  let statementsApplied = 0;
  let statementsSkipped = 0;
  const createdRoles = new Set<string>();

  for (const file of files) {
    const relativeFile = path.relative(workspaceRoot, file.path).split(path.sep).join('/') || path.basename(file.path);
    if (file.skippedReason !== undefined) {
      problems.push({ file: relativeFile, line: 1, reason: `file skipped: ${file.skippedReason}`, kind: 'file' });
      continue;
    }
    const lines = new LineIndex(file.text);
    const report = (statement: SchemaStatement, reason: string) => {
      statementsSkipped++;
      const kind = statement.kind ?? (/^\s*create\s+(?:(?:global\s+|local\s+)?(?:temp|temporary|unlogged)\s+)?table\b/i.test(statement.text) ? 'CREATE TABLE' : undefined);
      problems.push({ file: relativeFile, line: lines.positionAt(statement.start).line + 1, reason, ...(kind ? { kind } : {}) });
    };

    for (const statement of splitSchemaFile(file)) {
      const skipReason = reasonToSkip(statement, availableExtensions);
      if (skipReason === 'silently') continue;
      if (skipReason) {
        report(statement, skipReason);
        continue;
      }
      const error = await applyStatement(db, statement.text, createdRoles);
      if (error) report(statement, error);
      else statementsApplied++;
    }
  }
  // A dump may have changed search_path, the role or other settings for its own session (pg_dump sets
  // search_path to ''); the synthetic-data step and every later session expect the defaults.
  await db.exec('RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL;');
  return { problems, statementsApplied, statementsSkipped };
}

/**
 * Runs one statement. A GRANT or OWNER TO naming a role that does not exist here creates that role
 * (NOLOGIN: it only has to exist for ownership and privileges) and tries once more.
 * Returns the error message, or undefined when the statement applied.
 */
async function applyStatement(db: PGlite, text: string, createdRoles: Set<string>): Promise<string | undefined> {
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await db.exec(text);
      return undefined;
    } catch (error) {
      const message = errorMessage(error);
      const missingRole = /^role "((?:[^"]|"")+)" does not exist$/.exec(message);
      if (missingRole && !createdRoles.has(missingRole[1])) {
        createdRoles.add(missingRole[1]);
        try {
          await db.exec(`CREATE ROLE ${quoteIdentifier(missingRole[1])} NOLOGIN`);
          continue;
        } catch {
          return message;
        }
      }
      return message;
    }
  }
  return 'gave up after creating the roles it names';
}

/** 'silently' for statements that are meaningless here, a reason to report, or undefined to apply. */
function reasonToSkip(statement: SchemaStatement, availableExtensions: ReadonlySet<string>): string | 'silently' | undefined {
  if (statement.kind === undefined) {
    // Lexically split (the parser rejected the file): recognise the same cases from the text.
    const head = statement.text.trimStart();
    if (head.startsWith('\\')) return `psql meta-command skipped: ${head.split('\n')[0]}`;
    if (/^(begin|commit|end|rollback|abort|start\s+transaction|savepoint|release)\b/i.test(head)) return 'silently';
    if (/^copy\b[\s\S]*\bfrom\s+stdin\b/i.test(head)) return 'COPY FROM STDIN needs psql; its rows were not loaded';
    const extension = /^create\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$-]+)/i.exec(head);
    if (extension) return extensionSkipReason(unquote(extension[1]), availableExtensions);
    return undefined;
  }
  switch (statement.kind) {
    case 'TransactionStmt':
      return 'silently';
    case 'CopyStmt': {
      const copy = statement.node?.CopyStmt as { is_from?: boolean; filename?: string } | undefined;
      // COPY ... FROM STDIN waits for data on a connection PGlite does not have: it would never return.
      if (copy?.is_from && !copy.filename) return 'COPY FROM STDIN needs psql; its rows were not loaded';
      if (copy?.is_from) return 'COPY FROM a server file is not possible in the embedded database';
      return 'silently';
    }
    case 'CreateExtensionStmt': {
      const name = (statement.node?.CreateExtensionStmt as { extname?: string } | undefined)?.extname ?? '';
      return extensionSkipReason(name, availableExtensions);
    }
    default:
      return undefined;
  }
}

function extensionSkipReason(name: string, availableExtensions: ReadonlySet<string>): string | undefined {
  if (availableExtensions.has(name) || name === 'plpgsql') return undefined;
  return isExtensionAvailable(name)
    ? `extension "${name}" could not be loaded into the embedded database`
    : `extension "${name}" is not available in the embedded database (PGlite ships only PostgreSQL's contrib modules)`;
}

/** Splits with the real parser; files it rejects (a newer syntax, psql meta-commands) are split lexically. */
function splitSchemaFile(file: SchemaFile): SchemaStatement[] {
  if (isScriptMigration(file.path)) {
    // A script migration: the SQL it runs on the way up, each piece split into its statements.
    return scriptMigrationSql(file.path, file.text).flatMap((piece) =>
      splitSchemaFile({ path: `${file.path}.sql`, text: piece.text }).map((statement) => ({ ...statement, start: piece.start })),
    );
  }
  const site: SqlSite = {
    file: file.path,
    origin: 'sql-file',
    text: file.text,
    segments: [{ sqlStart: 0, fileStart: 0, length: file.text.length }],
    parameters: [],
    parameterCount: 0,
    fileStart: 0,
    fileEnd: file.text.length,
  };
  const parsed = parseSite(site);
  if (!parsed.error) {
    return parsed.statements.map((statement) => ({
      text: statement.text,
      start: statement.start,
      kind: statement.kind,
      node: statement.node,
    }));
  }
  return splitSqlLexically(file.text);
}

/**
 * Splits SQL at top-level semicolons, honouring quotes, dollar quotes, comments and BEGIN ATOMIC bodies.
 * psql meta-commands (a line starting with a backslash) become statements of their own.
 */
export function splitSqlLexically(text: string): SchemaStatement[] {
  const statements: SchemaStatement[] = [];
  let statementStart = 0;
  let atomicDepth = 0;
  let i = 0;
  const push = (end: number) => {
    const start = skipLeadingTrivia(text, statementStart, end);
    const body = text.slice(start, end).replace(/[\s;]+$/, '');
    if (body.length > 0) statements.push({ text: body, start });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && text.slice(skipLeadingTrivia(text, statementStart, i), i).trim() === '') {
      const lineEnd = text.indexOf('\n', i);
      const end = lineEnd === -1 ? text.length : lineEnd;
      statementStart = i;
      push(end);
      statementStart = end;
      i = end;
    } else if (c === '-' && text[i + 1] === '-') {
      const lineEnd = text.indexOf('\n', i);
      i = lineEnd === -1 ? text.length : lineEnd;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      const escapes = /[eE]$/.test(text.slice(Math.max(0, i - 1), i)) && !/[\w$]/.test(text[i - 2] ?? '');
      i++;
      while (i < text.length) {
        if (escapes && text[i] === '\\') i += 2;
        else if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i++;
      while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i++;
    } else if (c === '$' && !/[\w$]/.test(text[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(text.slice(i, i + 64));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? text.length : close + tag[0].length;
      } else i++;
    } else if (/[A-Za-z_]/.test(c) && !/[\w$]/.test(text[i - 1] ?? '')) {
      const word = /^[A-Za-z_][\w$]*/.exec(text.slice(i, i + 64))![0];
      const lower = word.toLowerCase();
      if (lower === 'atomic' && /\bbegin\s*$/i.test(text.slice(Math.max(0, i - 20), i))) atomicDepth++;
      else if (atomicDepth > 0 && lower === 'case') atomicDepth++;
      else if (atomicDepth > 0 && lower === 'end') atomicDepth--;
      i += word.length;
    } else if (c === ';' && atomicDepth === 0) {
      push(i);
      statementStart = i + 1;
      i++;
    } else i++;
  }
  push(text.length);
  return statements;
}

function unquote(identifier: string): string {
  return identifier.startsWith('"') ? identifier.slice(1, -1).replace(/""/g, '"') : identifier.toLowerCase();
}

// The one identifier quoting of generated SQL (sqlText.ts), re-exported for the embedded database's loaders.
export { quoteIdentifier };

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

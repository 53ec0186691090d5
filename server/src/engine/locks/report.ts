// `pglens locks`: for every statement of the given files (.sql, and SQL found in TS/JS), the relations it locks
// and in which mode, whether it rewrites or scans a table while holding the lock, and what that blocks. A reviewer
// runs it on a migration before approving it.

import { findTable, type SchemaFacts } from '../db/schemaFacts';
import { DEFAULT_MAX_SOURCE_BYTES, readWorkspaceTextFile } from '../files';
import { findSqlInFile, mapSqlOffsetToFile } from '../find/index';
import { loadParser, parseSite } from '../parse/parse';
import { LineIndex } from '../text';
import { addToFileHistory, emptyFileHistory, locksForStatement, type LockModelContext, type TableLock } from './lockModel';
import { lockContextFromSchemaFacts } from './schemaContext';
import { describeWhatLockBlocks, lockDisplayName } from './lockModes';
import { migrationContextFor, type MigrationConfig } from './migrations';
import type { StatementLocks } from './lockModel';

export interface LockReportLock extends TableLock {
  /** From a connected database. */
  rows?: number;
  bytes?: number;
}

export interface LockReportEntry {
  file: string;
  /** 1-based line of the statement's first character in the file. */
  line: number;
  statement: string;
  locks: LockReportLock[];
  rewrite: boolean;
  scan: boolean;
  notes: string[];
  canRunInTransaction: boolean;
  /** Set on entries of migration files: "prisma migration, runs in one transaction". */
  migration?: string;
  /** Offsets in the file of the statement's first and last character. */
  fileStart: number;
  fileEnd: number;
  /** The parser's message for SQL that does not parse (then `statement` is the text that was given to it). */
  parseError?: string;
  /** Lock rules' findings on this statement (set by the caller that ran the rules). */
  findings?: Array<{ ruleId: string; severity: string; message: string }>;
  /** A whole file that is not judged (a historical or down migration): why; it has no statements then. */
  notJudged?: string;
}

export interface LockReportOptions {
  /** server_version_num of the target server (from --db); the newest behaviour is assumed when unknown. */
  serverVersionNum?: number;
  /** Table sizes, index owners and column types from a connected database. */
  schema?: SchemaFacts;
  /** Which files are migrations (for the text report's per-file header). */
  migrations?: MigrationConfig;
  /** Index owners known without a database (CREATE INDEX in the workspace's migrations), asked after the schema. */
  indexTable?: LockModelContext['indexTable'];
}

/** The lock model's context with what a database knows (index owners, column types, foreign keys, volatility). */
export function lockContextFromSchema(schema: SchemaFacts | undefined, serverVersionNum?: number): LockModelContext {
  return lockContextFromSchemaFacts(schema, serverVersionNum);
}

/**
 * The tables of the indexes that files create (`CREATE INDEX name ON table`), for DROP INDEX and REINDEX INDEX
 * without a database: a migration drops an index an earlier migration made.
 */
export function indexOwnersOfTexts(files: Array<{ file: string; text: string }>): LockModelContext['indexTable'] {
  const history = emptyFileHistory();
  for (const { file, text } of files) {
    for (const site of findSqlInFile(file, text).sites) for (const statement of parseSite(site).statements) addToFileHistory(history, statement);
  }
  return (index) => history.createdIndexes.get(index);
}

/** Lock report of one file's text. */
export function lockReportForText(file: string, text: string, options: LockReportOptions = {}): LockReportEntry[] {
  const lines = new LineIndex(text);
  const fromSchema = lockContextFromSchema(options.schema, options.serverVersionNum);
  const fallback = options.indexTable;
  const base: LockModelContext = fallback
    ? { ...fromSchema, indexTable: (index, schema) => fromSchema.indexTable?.(index, schema) ?? fallback(index, schema) }
    : fromSchema;
  const history = emptyFileHistory();
  const entries: LockReportEntry[] = [];
  const migration = migrationContextFor(file, text, options.migrations);
  const migrationLabel = migration.isMigration
    ? `${migration.framework === 'config' || migration.framework === 'migrations folder' ? 'migration' : `${migration.framework} migration`}, ${
        migration.inTransaction
          ? 'runs in one transaction: every lock below is held until the whole migration commits'
          : migration.transaction === 'unknown'
            ? 'runner unknown: "migrationsInTransaction" in pglens.json says whether it runs in one transaction'
            : 'runs without a transaction'
      }`
    : undefined;
  for (const site of findSqlInFile(file, text).sites) {
    const parsed = parseSite(site);
    if (parsed.error) {
      // Said, never dropped: a statement pglens cannot parse is one it cannot tell the locks of.
      const at = mapSqlOffsetToFile(site, parsed.error.offset);
      entries.push({
        file,
        line: lines.positionAt(Math.min(at, text.length)).line + 1,
        statement: site.text,
        locks: [],
        rewrite: false,
        scan: false,
        notes: [],
        canRunInTransaction: true,
        fileStart: site.fileStart,
        fileEnd: site.fileEnd,
        parseError: parsed.error.message,
        ...(migrationLabel ? { migration: migrationLabel } : {}),
      });
    }
    for (const statement of parsed.statements) {
      const locks = locksForStatement(statement, { ...base, history });
      addToFileHistory(history, statement);
      entries.push({
        file,
        line: lines.positionAt(mapSqlOffsetToFile(site, statement.start)).line + 1,
        statement: statement.text,
        locks: locks.locks.map((lock) => {
          const { location: _location, ...rest } = lock;
          const facts = options.schema && (lock.relationKind ?? 'table') !== 'index' ? findTable(options.schema, lock.table, lock.schema) : undefined;
          return facts ? { ...rest, rows: facts.estimatedRows, bytes: facts.totalBytes } : rest;
        }),
        rewrite: locks.rewrite,
        scan: locks.scan,
        notes: locks.notes,
        canRunInTransaction: locks.canRunInTransaction,
        fileStart: mapSqlOffsetToFile(site, statement.start),
        fileEnd: mapSqlOffsetToFile(site, statement.end),
        ...(migrationLabel ? { migration: migrationLabel } : {}),
      });
    }
  }
  return entries;
}

/**
 * Reads the files and reports every statement in them, in file order. A file that is not a regular file or is too
 * large is left out and named to `onSkip`.
 */
export async function lockReportForFiles(
  files: string[],
  options: LockReportOptions & { onSkip?: (file: string, reason: string) => void } = {},
): Promise<LockReportEntry[]> {
  await loadParser();
  const entries: LockReportEntry[] = [];
  for (const file of files) {
    const read = readWorkspaceTextFile(file, { maxBytes: DEFAULT_MAX_SOURCE_BYTES });
    if (!read.ok) {
      options.onSkip?.(file, read.reason);
      continue;
    }
    entries.push(...lockReportForText(file, read.text, options));
  }
  return entries;
}

export function qualified(lock: { table: string; schema?: string }): string {
  return lock.schema ? `${lock.schema}.${lock.table}` : lock.table;
}

export function formatRows(rows: number): string {
  if (rows >= 1e6) return `${(rows / 1e6).toFixed(1).replace(/\.0$/, '')}M rows`;
  if (rows >= 1e4) return `${Math.round(rows / 1e3)}k rows`;
  return `${Math.round(rows)} rows`;
}

export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 10 ? `${Math.round(mb)} MB` : `${mb.toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * One line per lock for a hover or a tooltip:
 * "ACCESS EXCLUSIVE on accounts: blocks every read and write of accounts until the transaction ends (accounts: 2.1M rows, 310 MB)"
 * followed by rewrite/scan and the notes.
 */
export function describeStatementLocks(locks: StatementLocks, schema?: SchemaFacts): string[] {
  const lines = locks.locks.map((l) => {
    const name = qualified(l);
    const facts = schema && (l.relationKind ?? 'table') !== 'index' ? findTable(schema, l.table, l.schema) : undefined;
    const size = facts ? ` (${l.table}: ${formatRows(facts.estimatedRows)}, ${formatMegabytes(facts.totalBytes)})` : '';
    const kind = l.relationKind && l.relationKind !== 'table' ? ` (${l.relationKind})` : '';
    return `${lockDisplayName(l.mode)} on ${name}${kind}: ${describeWhatLockBlocks(l.mode, name)}${size}`;
  });
  // The notes say why a table is rewritten or scanned; the generic line only when they do not.
  if (locks.notes.length === 0) {
    if (locks.rewrite) lines.push('Rewrites the table while holding the lock.');
    else if (locks.scan) lines.push('Reads the whole table while holding the lock.');
  }
  if (!locks.canRunInTransaction) lines.push('Cannot run inside a transaction block.');
  lines.push(...locks.notes);
  return lines;
}

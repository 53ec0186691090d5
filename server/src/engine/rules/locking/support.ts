// What the lock rules share: the lock model's context from a rule's context, the plain-words impact of a lock
// with the table's size, anchors on keywords, and quick-fix edits mapped from the SQL text to the file.

import { findTable, indexesOf, type SchemaFacts } from '../../db/schemaFacts';
import { lockContextFromSchemaFacts } from '../../locks/schemaContext';
import { mapSqlOffsetToFile } from '../../find/index';
import { addTablesCreatedByBuilders, addToFileHistory, createdEarlier, fileHistory, type FileHistory, type LockModelContext } from '../../locks/lockModel';
import { describeWhatLockBlocks, lockDisplayName, type LockMode } from '../../locks/lockModes';
import { tokenizeSql, type SqlToken } from '../../locks/tokens';
import type { AstNode, ParsedStatement } from '../../parse/parse';
import type { FileEdit, FindingDetail } from '../../types';
import type { RuleContext } from '../rule';
import { quoteIdentifier, quoteQualifiedName } from '../../sqlText';

export interface Span {
  start: number;
  end: number;
}

export function formatRows(rows: number): string {
  if (rows >= 1e9) return `${(rows / 1e9).toFixed(1).replace(/\.0$/, '')}B rows`;
  if (rows >= 1e6) return `${(rows / 1e6).toFixed(1).replace(/\.0$/, '')}M rows`;
  if (rows >= 1e4) return `${Math.round(rows / 1e3)}k rows`;
  return `${Math.round(rows)} rows`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1).replace(/\.0$/, '')} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} B`;
}

/** "accounts: 2.1M rows, 310 MB", when a database is connected and knows the table. */
export function tableSize(schema: SchemaFacts | undefined, table: string, schemaName?: string): string | undefined {
  if (!schema) return undefined;
  const facts = findTable(schema, table, schemaName);
  if (!facts) return undefined;
  return `${table}: ${formatRows(facts.estimatedRows)}, ${formatBytes(facts.totalBytes)}`;
}

/** "ACCESS EXCLUSIVE on accounts: blocks every read and write of accounts until the transaction ends (accounts: 2.1M rows, 310 MB)" */
export function lockImpact(context: Pick<RuleContext, 'schema'>, mode: LockMode, table: string, schemaName?: string): string {
  const size = tableSize(context.schema, table, schemaName);
  return `${lockDisplayName(mode)} on ${table}: ${describeWhatLockBlocks(mode, table)}${size ? ` (${size})` : ''}`;
}

/**
 * What a lock blocks, with the table's size, as a detail sentence under a headline that names the lock:
 * "Blocks every read and write of accounts until the transaction ends (accounts: 2.1M rows, 310 MB)."
 */
export function lockBlocksDetail(context: Pick<RuleContext, 'schema'>, mode: LockMode, table: string, schemaName?: string): FindingDetail {
  const size = tableSize(context.schema, table, schemaName);
  const blocks = describeWhatLockBlocks(mode, table);
  return { kind: 'evidence', text: `${blocks.charAt(0).toUpperCase()}${blocks.slice(1)}${size ? ` (${size})` : ''}.` };
}

/** Machine-readable numbers for a finding about a lock on a table. */
export function lockEvidence(context: Pick<RuleContext, 'schema'>, mode: LockMode, table: string, schemaName?: string): Record<string, unknown> {
  const evidence: Record<string, unknown> = { lockMode: mode, table };
  const facts = context.schema ? findTable(context.schema, table, schemaName) : undefined;
  if (facts) {
    evidence.rows = facts.estimatedRows;
    evidence.bytes = facts.totalBytes;
  }
  return evidence;
}

/** The lock model's context for a statement being checked: version, earlier statements, schema facts. */
export function lockModelContextFor(context: RuleContext): LockModelContext {
  return {
    ...lockContextFromSchemaFacts(context.schema, context.serverVersionNum),
    previousStatements: context.previousStatements,
    history: historyOf(context),
  };
}

const histories = new WeakMap<ParsedStatement[], { length: number; last: ParsedStatement | undefined; history: FileHistory }>();

/**
 * What earlier statements of the file created and set. The engine passes one growing array per file, so the history
 * is extended with the new statements instead of folding the whole file again for every statement.
 */
export function historyOf(context: RuleContext): FileHistory {
  const previous = context.previousStatements;
  const cached = histories.get(previous);
  if (cached && cached.length <= previous.length && previous[cached.length - 1] === cached.last) {
    for (let i = cached.length; i < previous.length; i++) addToFileHistory(cached.history, previous[i]);
    cached.length = previous.length;
    cached.last = previous[previous.length - 1];
    // Tables a builder created before this statement's site: every later statement of the file sees them too.
    addTablesCreatedByBuilders(cached.history, context.statement);
    return cached.history;
  }
  const history = fileHistory(previous);
  addTablesCreatedByBuilders(history, context.statement);
  histories.set(previous, { length: previous.length, last: previous[previous.length - 1], history });
  return history;
}

/** True when the table was created earlier in the same file (a new, empty table nobody else uses yet). */
export function isNewTable(context: RuleContext, table: string, schemaName?: string): boolean {
  return createdEarlier(historyOf(context), table, schemaName);
}

/**
 * The ALTER TABLE commands of a statement that alters a table existing before this file: the shared start of every
 * ALTER TABLE rule. Undefined for other statements and for tables created earlier in the same file (new and empty,
 * so their locks and rewrites cost nothing).
 */
export function alterOfExistingTable(context: RuleContext): { relation: AstNode; table: string; commands: AstNode[] } | undefined {
  const { statement } = context;
  if (statement.kind !== 'AlterTableStmt') return undefined;
  const alter = statement.node.AlterTableStmt;
  const relation = alter.relation;
  if (!relation || isNewTable(context, relation.relname, relation.schemaname)) return undefined;
  const commands = ((alter.cmds ?? []) as AstNode[]).map((c) => c.AlterTableCmd).filter((cmd): cmd is AstNode => cmd !== undefined);
  return { relation, table: relation.relname, commands };
}

/** Whether the statement runs inside a transaction block: the migration is wrapped, or an explicit BEGIN is open. */
export function runsInTransaction(context: RuleContext): boolean {
  return context.migration?.inTransaction === true || historyOf(context).openTransaction;
}

export function statementTokens(statement: ParsedStatement): SqlToken[] {
  return tokenizeSql(statement.site.text, statement.start, statement.end);
}

/** Span of the relation name of a RangeVar (just the name, after any "schema."). */
export function relationNameSpan(statement: ParsedStatement, rv: AstNode): Span | undefined {
  if (typeof rv?.location !== 'number') return undefined;
  const start = statement.offsetOf(rv.location);
  const tokens = tokenizeSql(statement.site.text, start, Math.min(statement.end, start + 300));
  let i = 0;
  while (tokens[i + 1]?.type === 'punct' && tokens[i + 1].value === '.' && tokens[i + 2]) i += 2;
  const t = tokens[i];
  return t ? { start: t.start, end: t.end } : undefined;
}

/** The token starting at `offset`, extended over a following parenthesised argument list (a call, a type with modifiers). */
export function spanAtOffset(statement: ParsedStatement, offset: number): Span {
  const tokens = tokenizeSql(statement.site.text, offset, statement.end);
  if (tokens.length === 0) return { start: offset, end: Math.min(statement.end, offset + 1) };
  let end = tokens[0].end;
  if (tokens[1]?.type === 'punct' && tokens[1].value === '(') {
    let depth = 0;
    for (let i = 1; i < tokens.length; i++) {
      if (tokens[i].value === '(' && tokens[i].type === 'punct') depth++;
      else if (tokens[i].value === ')' && tokens[i].type === 'punct') depth--;
      end = tokens[i].end;
      if (depth === 0) break;
    }
  }
  return { start: tokens[0].start, end };
}

/** A quick-fix edit of the SQL text [start, end) of the statement's site, in file offsets. */
export function sqlEdit(statement: ParsedStatement, start: number, end: number, newText: string): FileEdit {
  const site = statement.site;
  const fileStart = mapSqlOffsetToFile(site, start);
  const fileEnd = end === start ? fileStart : mapSqlOffsetToFile(site, end - 1) + 1;
  return { file: site.file, start: fileStart, end: fileEnd, newText };
}

/** The relation as written in the statement ("public.accounts", "accounts"), for SQL in fixes. */
export function relationText(rv: AstNode): string {
  return quoteQualifiedName(rv.schemaname, rv.relname);
}

/** Identifiers in fixes are quoted by the one function for generated SQL (sqlText.ts). */
export const quoteIdent = quoteIdentifier;

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
export function constraintName(...parts: string[]): string {
  return parts.join('_').slice(0, 63);
}

/** Indexes known on a table (schema facts), e.g. to tell a reader which queries would wait. */
export function knownIndexCount(schema: SchemaFacts | undefined, table: string, schemaName?: string): number | undefined {
  if (!schema) return undefined;
  const facts = findTable(schema, table, schemaName);
  return facts ? indexesOf(schema, facts).length : undefined;
}

// The editor's hover on a statement's locks: the engine's plain words (describeStatementLocks) as markdown.

import { locksForStatement } from '../engine/locks/lockModel';
import { describeStatementLocks, lockContextFromSchema, type LockReportOptions } from '../engine/locks/report';
import type { ParsedStatement } from '../engine/parse/parse';

/**
 * Markdown for an editor hover on a statement: its locks in plain words, with sizes when a database is connected.
 * Undefined for statements that lock nothing worth showing (plain reads: ACCESS SHARE only, transaction control).
 */
export function lockHoverMarkdown(
  statement: ParsedStatement,
  options: LockReportOptions & { previousStatements?: ParsedStatement[] } = {},
): string | undefined {
  const locks = locksForStatement(statement, { ...lockContextFromSchema(options.schema, options.serverVersionNum), previousStatements: options.previousStatements });
  if (locks.locks.every((l) => l.mode === 'AccessShareLock') && locks.canRunInTransaction) return undefined;
  const escape = (text: string) => text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
  const lines = describeStatementLocks(locks, options.schema).map((line) => `- ${escape(line)}`);
  return [`**pglens · locks**`, '', ...lines].join('\n');
}

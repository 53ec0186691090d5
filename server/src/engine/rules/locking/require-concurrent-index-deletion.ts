// DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table (DROP INDEX reference page:
// "A normal DROP INDEX acquires an ACCESS EXCLUSIVE lock on the table, blocking other accesses until the index
// drop can be completed"), so every read and write waits, including behind any long query already running.

import { locksForStatement } from '../../locks/lockModel';
import { findWords } from '../../locks/tokens';
import type { Rule } from '../rule';
import { runsInTransaction } from './support';
import { historyOf, isNewTable, lockBlocksDetail, lockEvidence, lockModelContextFor, sqlEdit, statementTokens } from './support';

export const requireConcurrentIndexDeletion: Rule = {
  meta: {
    id: 'require-concurrent-index-deletion',
    description: 'DROP INDEX without CONCURRENTLY blocks every read and write of the table until the drop completes.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      dropIndex: 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on {{table}}',
      dropIndexUnknownTable: 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table of {{indexes}}',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'DropStmt') return;
    const n = statement.node.DropStmt;
    if (n.removeType !== 'OBJECT_INDEX' || n.concurrent) return;
    const history = historyOf(context);
    const locks = locksForStatement(statement, lockModelContextFor(context));
    const indexes = locks.locks.filter((l) => l.relationKind === 'index');
    // Indexes created earlier in the same file, or on tables created there, are not in use by anyone yet.
    if (indexes.every((i) => history.createdIndexes.has(i.table))) return;
    const tableLock = locks.locks.find((l) => (l.relationKind ?? 'table') === 'table');
    if (tableLock && isNewTable(context, tableLock.table, tableLock.schema)) return;
    const tokens = statementTokens(statement);
    const at = findWords(tokens, ['index']);
    if (at < 0) return;
    const keyword = tokens[at];
    // DROP INDEX CONCURRENTLY drops one index at a time, does not support CASCADE and cannot run in a transaction block
    // (there the edit would make a migration that fails: concurrently-in-transaction).
    const mechanical = (n.objects ?? []).length === 1 && n.behavior !== 'DROP_CASCADE' && !runsInTransaction(context);
    context.report({
      ...(tableLock
        ? { messageId: 'dropIndex', data: { table: tableLock.table } }
        : { messageId: 'dropIndexUnknownTable', data: { indexes: indexes.map((i) => i.table).join(', ') } }),
      details: [
        tableLock
          ? lockBlocksDetail(context, 'AccessExclusiveLock', tableLock.table, tableLock.schema)
          : { kind: 'evidence', text: 'Blocks every read and write of that table until the transaction ends.' },
        { kind: 'suggestion', text: 'Use DROP INDEX CONCURRENTLY, outside a transaction.' },
      ],
      start: keyword.start,
      end: keyword.end,
      evidence: tableLock ? lockEvidence(context, 'AccessExclusiveLock', tableLock.table, tableLock.schema) : { lockMode: 'AccessExclusiveLock' },
      fixes: mechanical
        ? [
            {
              title: 'Use DROP INDEX CONCURRENTLY (outside a transaction)',
              sql: `${statement.site.text.slice(statement.start, keyword.end)} CONCURRENTLY${statement.site.text.slice(keyword.end, statement.end)}`,
              edits: [sqlEdit(statement, keyword.end, keyword.end, ' CONCURRENTLY')],
            },
          ]
        : undefined,
    });
  },
};

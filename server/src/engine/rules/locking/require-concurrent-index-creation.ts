// CREATE INDEX without CONCURRENTLY takes SHARE on the table (docs, "Explicit Locking", SHARE: "Acquired by
// CREATE INDEX (without CONCURRENTLY)"), which blocks every INSERT, UPDATE and DELETE for the whole build.

import { findWords } from '../../locks/tokens';
import type { Rule } from '../rule';
import { isNewTable, lockBlocksDetail, lockEvidence, runsInTransaction, sqlEdit, statementTokens } from './support';

export const requireConcurrentIndexCreation: Rule = {
  meta: {
    id: 'require-concurrent-index-creation',
    description: 'CREATE INDEX without CONCURRENTLY on an existing table blocks every write to it while the index is built.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      createIndex: 'CREATE INDEX without CONCURRENTLY takes SHARE on {{table}} for the whole build',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'IndexStmt') return;
    const n = statement.node.IndexStmt;
    if (n.concurrent || !n.relation) return;
    const table: string = n.relation.relname;
    // An index on a table created earlier in the same file blocks nobody: the table is new and empty.
    if (isNewTable(context, table, n.relation.schemaname)) return;
    const tokens = statementTokens(statement);
    const index = findWords(tokens, ['index']);
    if (index < 0) return;
    const keyword = tokens[index];
    const fixedSql = `${statement.site.text.slice(statement.start, keyword.end)} CONCURRENTLY${statement.site.text.slice(keyword.end, statement.end)}`;
    context.report({
      messageId: 'createIndex',
      data: { table },
      details: [
        lockBlocksDetail(context, 'ShareLock', table, n.relation.schemaname),
        { kind: 'suggestion', text: `Use CREATE INDEX CONCURRENTLY${runsInTransaction(context) ? ', in a migration that does not run in a transaction' : ''}.` },
      ],
      start: keyword.start,
      end: keyword.end,
      evidence: lockEvidence(context, 'ShareLock', table, n.relation.schemaname),
      // In a file that runs in a transaction block, adding CONCURRENTLY alone would make a migration that fails
      // (concurrently-in-transaction): the fix then only offers the SQL for a migration of its own.
      fixes: [
        runsInTransaction(context)
          ? { title: 'Copy CREATE INDEX CONCURRENTLY (for a migration of its own that runs without a transaction)', sql: fixedSql }
          : { title: 'Use CREATE INDEX CONCURRENTLY', sql: fixedSql, edits: [sqlEdit(statement, keyword.end, keyword.end, ' CONCURRENTLY')] },
      ],
    });
  },
};

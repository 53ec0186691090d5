// REINDEX without CONCURRENTLY takes SHARE on the table (every write waits) and ACCESS EXCLUSIVE on each index it
// rebuilds (every query that would use the index waits) for the whole rebuild (REINDEX reference page, "Notes";
// checked against pg_locks by test/locks/lockModel.server.test.ts). Since PostgreSQL 12, REINDEX CONCURRENTLY
// builds the new index beside the old one under SHARE UPDATE EXCLUSIVE, outside a transaction block.

import type { Rule } from '../rule';
import { locksForStatement } from '../../locks/lockModel';
import { findWords } from '../../locks/tokens';
import { historyOf, isNewTable, lockEvidence, lockImpact, lockModelContextFor, runsInTransaction, sqlEdit, statementTokens } from './support';

const PG12 = 120000;

export const reindexWithoutConcurrently: Rule = {
  meta: {
    id: 'reindex-without-concurrently',
    description: 'REINDEX without CONCURRENTLY blocks every write of the table, and every query using the index, until the rebuild ends (PostgreSQL 12+ can rebuild concurrently).',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      reindexTable: 'REINDEX without CONCURRENTLY blocks writes to {{table}} and queries using the indexes for the whole rebuild',
      reindex: 'REINDEX without CONCURRENTLY blocks writes and queries using the indexes for the whole rebuild',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'ReindexStmt') return;
    // Before PostgreSQL 12 there is no CONCURRENTLY: nothing better to suggest.
    if ((context.serverVersionNum ?? Number.MAX_SAFE_INTEGER) < PG12) return;
    const n = statement.node.ReindexStmt;
    const options = ((n.params ?? []) as { DefElem?: { defname?: string } }[]).map((p) => String(p.DefElem?.defname ?? '').toLowerCase());
    if (options.includes('concurrently')) return;
    // System catalogues cannot be reindexed concurrently.
    if (n.kind === 'REINDEX_OBJECT_SYSTEM') return;
    const tokens = statementTokens(statement);
    const at = findWords(tokens, [kindWord(n.kind)]);
    if (at < 0) return;
    const keyword = tokens[at];
    const locks = locksForStatement(statement, lockModelContextFor(context));
    const table = locks.locks.find((l) => (l.relationKind ?? 'table') === 'table');
    const history = historyOf(context);
    // Indexes and tables created earlier in the same file are not in use by anyone yet.
    if (n.kind === 'REINDEX_OBJECT_INDEX' && n.relation && history.createdIndexes.has(n.relation.relname)) return;
    if (table && isNewTable(context, table.table, table.schema)) return;
    let impact: string;
    if (table) impact = `${lockImpact(context, 'ShareLock', table.table, table.schema)}, and ACCESS EXCLUSIVE on ${n.kind === 'REINDEX_OBJECT_INDEX' ? 'the index' : 'each of its indexes'} while it is rebuilt (queries that would use it wait)`;
    else if (n.kind === 'REINDEX_OBJECT_INDEX') impact = `SHARE on the table of ${n.relation?.relname} (blocks every write of it) and ACCESS EXCLUSIVE on the index (queries that would use it wait)`;
    else impact = `SHARE on each table of the ${kindWord(n.kind)} in turn (blocks its writes) and ACCESS EXCLUSIVE on each index while it is rebuilt`;
    const inTransaction = runsInTransaction(context);
    context.report({
      ...(table ? { messageId: 'reindexTable', data: { table: table.table } } : { messageId: 'reindex' }),
      details: [
        { kind: 'evidence', text: `It takes ${impact}.` },
        {
          kind: 'suggestion',
          text: `Use REINDEX ${kindWord(n.kind).toUpperCase()} CONCURRENTLY (PostgreSQL 12+), outside a transaction block${inTransaction ? ': this migration runs in one, so move it to a migration of its own that does not' : ''}.`,
        },
      ],
      start: keyword.start,
      end: keyword.end,
      evidence: table ? lockEvidence(context, 'ShareLock', table.table, table.schema) : { lockMode: 'ShareLock' },
      // CONCURRENTLY inside a transaction block fails: the fix is offered only where the statement runs alone.
      fixes: inTransaction
        ? undefined
        : [
            {
              title: 'Use REINDEX ... CONCURRENTLY (outside a transaction)',
              sql: `${statement.site.text.slice(statement.start, keyword.end)} CONCURRENTLY${statement.site.text.slice(keyword.end, statement.end)}`,
              edits: [sqlEdit(statement, keyword.end, keyword.end, ' CONCURRENTLY')],
            },
          ],
    });
  },
};

function kindWord(kind: string): string {
  switch (kind) {
    case 'REINDEX_OBJECT_INDEX':
      return 'index';
    case 'REINDEX_OBJECT_TABLE':
      return 'table';
    case 'REINDEX_OBJECT_SCHEMA':
      return 'schema';
    default:
      return 'database';
  }
}

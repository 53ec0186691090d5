// UPDATE or DELETE without WHERE changes every row of the table, holds a row lock on each until the transaction
// ends (docs, "Explicit Locking", 13.3.2 Row-Level Locks) and writes a new version of every row: usually a
// mistake, and on a large table a long transaction that blocks every other writer of those rows.

import type { Rule } from '../rule';
import { isNewTable, lockEvidence, relationNameSpan, tableSize } from './support';

export const updateOrDeleteWithoutWhere: Rule = {
  meta: {
    id: 'update-or-delete-without-where',
    description: 'UPDATE or DELETE without WHERE changes and row-locks every row of the table.',
    defaultSeverity: 'warning',
    category: 'correctness',
    kind: 'statement',
    messages: {
      update: 'UPDATE without WHERE changes every row of {{table}} and locks each until the transaction ends',
      updateSized: 'UPDATE without WHERE changes every row of {{table}} ({{size}}) and locks each until the transaction ends',
      delete: 'DELETE without WHERE deletes every row of {{table}} and locks each until the transaction ends',
      deleteSized: 'DELETE without WHERE deletes every row of {{table}} ({{size}}) and locks each until the transaction ends',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'UpdateStmt' && statement.kind !== 'DeleteStmt') return;
    const n = statement.node[statement.kind];
    if (n.whereClause || !n.relation) return;
    const table: string = n.relation.relname;
    // A table created earlier in the same file is new: filling it in one statement blocks nobody.
    if (isNewTable(context, table, n.relation.schemaname)) return;
    const verb = statement.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    const span = relationNameSpan(statement, n.relation);
    const size = tableSize(context.schema, table, n.relation.schemaname);
    context.report({
      messageId: `${verb === 'UPDATE' ? 'update' : 'delete'}${size ? 'Sized' : ''}`,
      data: { table, size },
      details: [
        { kind: 'evidence', text: 'Every other UPDATE, DELETE and SELECT ... FOR UPDATE of those rows waits.' },
        { kind: 'suggestion', text: `Add a WHERE clause${verb === 'DELETE' ? ' (or use TRUNCATE if emptying the table is intended)' : ''}, or batch it by key range.` },
      ],
      start: span?.start,
      end: span?.end,
      evidence: { ...lockEvidence(context, 'RowExclusiveLock', table, n.relation.schemaname), allRows: true },
    });
  },
};

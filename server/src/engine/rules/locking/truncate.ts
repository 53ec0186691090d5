// TRUNCATE takes ACCESS EXCLUSIVE on each table it empties (TRUNCATE reference page: "TRUNCATE acquires an
// ACCESS EXCLUSIVE lock on each table it operates on"), and with CASCADE on every table that references them.

import type { Rule } from '../rule';
import { isNewTable, lockEvidence, lockImpact, relationNameSpan } from './support';

export const truncate: Rule = {
  meta: {
    id: 'truncate',
    description: 'TRUNCATE takes ACCESS EXCLUSIVE on each table it empties, blocking every read and write.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'TruncateStmt') return;
    const n = statement.node.TruncateStmt;
    const cascade = n.behavior === 'DROP_CASCADE';
    for (const r of n.relations ?? []) {
      const rv = r.RangeVar;
      if (!rv || isNewTable(context, rv.relname, rv.schemaname)) continue;
      const span = relationNameSpan(statement, rv);
      context.report({
        message: `TRUNCATE deletes every row of ${rv.relname} and takes ${lockImpact(context, 'AccessExclusiveLock', rv.relname, rv.schemaname)}${cascade ? '; CASCADE also empties and locks every table that references it' : ''}. To empty a live table, DELETE in batches instead.`,
        start: span?.start,
        end: span?.end,
        evidence: lockEvidence(context, 'AccessExclusiveLock', rv.relname, rv.schemaname),
      });
    }
  },
};

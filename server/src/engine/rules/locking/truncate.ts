// TRUNCATE takes ACCESS EXCLUSIVE on each table it empties (TRUNCATE reference page: "TRUNCATE acquires an
// ACCESS EXCLUSIVE lock on each table it operates on"), and with CASCADE on every table that references them.

import type { Rule } from '../rule';
import { isNewTable, lockBlocksDetail, lockEvidence, relationNameSpan } from './support';

export const truncate: Rule = {
  meta: {
    id: 'truncate',
    description: 'TRUNCATE takes ACCESS EXCLUSIVE on each table it empties, blocking every read and write.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      truncate: 'TRUNCATE deletes every row of {{table}} and takes ACCESS EXCLUSIVE on {{table}}',
      truncateCascade: 'TRUNCATE ... CASCADE deletes every row of {{table}} and of every table that references it, under ACCESS EXCLUSIVE',
    },
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
        messageId: cascade ? 'truncateCascade' : 'truncate',
        data: { table: rv.relname },
        details: [lockBlocksDetail(context, 'AccessExclusiveLock', rv.relname, rv.schemaname), { kind: 'suggestion', text: 'To empty a live table, DELETE in batches instead.' }],
        start: span?.start,
        end: span?.end,
        evidence: lockEvidence(context, 'AccessExclusiveLock', rv.relname, rv.schemaname),
      });
    }
  },
};

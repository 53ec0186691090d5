// An explicit LOCK TABLE holds its mode until the transaction ends (docs, "Explicit Locking": "Once acquired, a
// lock is normally held until the end of the transaction"). Modes from SHARE up block every write; ACCESS
// EXCLUSIVE (the default of LOCK TABLE without a mode) blocks every read too.

import type { Rule } from '../rule';
import { lockBlocksWrites, lockDisplayName, lockModeFromNumber } from '../../locks/lockModes';
import { lockBlocksDetail, lockEvidence, relationNameSpan } from './support';

export const lockTable: Rule = {
  meta: {
    id: 'lock-table',
    description: 'LOCK TABLE in a mode that blocks writes (SHARE and stronger) or reads (ACCESS EXCLUSIVE, the default).',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      lockTable: 'LOCK TABLE takes {{lockMode}} on {{table}}',
      lockTableQueues: 'LOCK TABLE takes {{lockMode}} on {{table}}, and without NOWAIT queues behind running queries',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'LockStmt') return;
    const n = statement.node.LockStmt;
    const mode = lockModeFromNumber(typeof n.mode === 'number' ? n.mode : 8);
    if (!lockBlocksWrites(mode)) return;
    for (const r of n.relations ?? []) {
      const rv = r.RangeVar;
      if (!rv) continue;
      const span = relationNameSpan(statement, rv);
      context.report({
        messageId: n.nowait ? 'lockTable' : 'lockTableQueues',
        data: { lockMode: lockDisplayName(mode), table: rv.relname },
        details: [
          lockBlocksDetail(context, mode, rv.relname, rv.schemaname),
          ...(n.nowait ? [] : [{ kind: 'evidence' as const, text: 'Everything after it queues behind it.' }]),
          { kind: 'suggestion', text: `Keep the transaction short, or use a weaker mode than ${lockDisplayName(mode)}.` },
        ],
        start: span?.start,
        end: span?.end,
        evidence: lockEvidence(context, mode, rv.relname, rv.schemaname),
      });
    }
  },
};

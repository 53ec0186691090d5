// ALTER TABLE ... DETACH PARTITION takes ACCESS EXCLUSIVE on the parent and the partition (every query of the
// partitioned table waits, and waits behind any query already running on it). Since PostgreSQL 14, DETACH
// PARTITION ... CONCURRENTLY takes SHARE UPDATE EXCLUSIVE on both, in two transactions, outside a transaction block
// (ALTER TABLE reference page, DETACH PARTITION; checked against pg_locks by test/locks/lockModel.server.test.ts).

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { alterOfExistingTable, lockBlocksDetail, lockEvidence, relationNameSpan, runsInTransaction, sqlEdit, statementTokens } from './support';

const PG14 = 140000;

export const detachPartitionWithoutConcurrently: Rule = {
  meta: {
    id: 'detach-partition-without-concurrently',
    description: 'DETACH PARTITION without CONCURRENTLY blocks every read and write of the partitioned table (PostgreSQL 14+ can detach concurrently).',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      detach: 'DETACH PARTITION {{partition}} without CONCURRENTLY takes ACCESS EXCLUSIVE on {{table}} and on the partition',
    },
  },
  check(context) {
    const { statement } = context;
    if ((context.serverVersionNum ?? Number.MAX_SAFE_INTEGER) < PG14) return;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    const tokens = statementTokens(statement);
    const single = commands.length === 1;
    let cursor = 0;
    for (const cmd of commands) {
      if (cmd.subtype !== 'AT_DetachPartition') continue;
      const partition = cmd.def?.PartitionCmd?.name;
      const at = findWords(tokens, ['detach'], cursor);
      if (at < 0) break;
      cursor = at + 1;
      if (cmd.def?.PartitionCmd?.concurrent) continue;
      const keyword = tokens[at];
      const name = partition ? relationNameSpan(statement, partition) : undefined;
      const inTransaction = runsInTransaction(context);
      context.report({
        messageId: 'detach',
        data: { partition: partition?.relname ?? '(unnamed)', table },
        details: [
          lockBlocksDetail(context, 'AccessExclusiveLock', table, relation.schemaname),
          {
            kind: 'suggestion',
            text: `Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+; not with a default partition), outside a transaction block${inTransaction ? ': this migration runs in one, so move it to a migration of its own that does not' : ''}.`,
          },
        ],
        start: keyword.start,
        end: name?.end ?? keyword.end,
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, relation.schemaname), partition: partition?.relname },
        // CONCURRENTLY is only allowed alone in its ALTER TABLE and outside a transaction block.
        fixes:
          single && name && !inTransaction
            ? [
                {
                  title: 'Use DETACH PARTITION ... CONCURRENTLY (outside a transaction)',
                  sql: `${statement.site.text.slice(statement.start, name.end)} CONCURRENTLY${statement.site.text.slice(name.end, statement.end)}`,
                  edits: [sqlEdit(statement, name.end, name.end, ' CONCURRENTLY')],
                },
              ]
            : undefined,
      });
    }
  },
};

// ALTER COLUMN ... TYPE rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE unless the change is
// binary-coercible (varchar(n) → text or a longer varchar, numeric precision increase ...): ALTER TABLE, Notes.

import { columnTypeChange } from '../../locks/lockModel';
import { formatColumnType } from '../../locks/columnTypes';
import { clauseEnd, tokenAtOrAfter } from '../../locks/tokens';
import type { Rule } from '../rule';
import { historyOf, alterOfExistingTable, lockEvidence, lockImpact, lockModelContextFor, statementTokens } from './support';

export const changingColumnType: Rule = {
  meta: {
    id: 'changing-column-type',
    description: 'ALTER COLUMN ... TYPE that rewrites the table and its indexes under ACCESS EXCLUSIVE.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      rewrites: 'Changing {{table}}.{{column}} to {{type}} rewrites {{table}} and its indexes under ACCESS EXCLUSIVE',
      probablyRewrites: 'Changing {{table}}.{{column}} to {{type}} probably rewrites {{table}} and its indexes under ACCESS EXCLUSIVE',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    const tokens = statementTokens(statement);
    for (const cmd of commands) {
      if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.def?.ColumnDef?.typeName) continue;
      const change = columnTypeChange(cmd, table, relation.schemaname, lockModelContextFor(context), historyOf(context));
      if (!change.rewrite) continue;
      const typeAt = tokenAtOrAfter(tokens, statement.offsetOf(cmd.def.ColumnDef.typeName.location));
      if (!tokens[typeAt]) continue;
      const typeEnd = clauseEnd(tokens, typeAt, ['using', 'collate']);
      const target = formatColumnType(change.to);
      context.report({
        messageId: change.from ? 'rewrites' : 'probablyRewrites',
        data: { table, column: change.column, type: target },
        details: [
          { kind: 'evidence', text: `It holds ${lockImpact(context, 'AccessExclusiveLock', table, relation.schemaname)}.` },
          { kind: 'evidence', text: `${change.explanation}.` },
          { kind: 'suggestion', text: 'Safer: add a new column, backfill it in batches, then switch reads and writes to it.' },
        ],
        start: tokens[typeAt].start,
        end: tokens[typeEnd].end,
        evidence: {
          ...lockEvidence(context, 'AccessExclusiveLock', table, relation.schemaname),
          rewrite: true,
          from: change.from ? formatColumnType(change.from) : undefined,
          to: target,
        },
      });
    }
  },
};

// DROP COLUMN is instant (the column is only marked dropped), but code that is running still selects or writes
// it and fails from the moment the migration commits; ORMs that list columns break too. It takes ACCESS
// EXCLUSIVE (ALTER TABLE: DROP COLUMN).

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { alterOfExistingTable, lockEvidence, lockImpact, statementTokens } from './support';

export const droppingColumn: Rule = {
  meta: {
    id: 'dropping-column',
    description: 'DROP COLUMN breaks the code that still uses the column while the migration deploys.',
    defaultSeverity: 'warning',
    category: 'correctness',
    kind: 'statement',
    messages: {
      dropColumn: 'Dropping {{table}}.{{column}} breaks every running query and deployed code that still reads or writes it',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    const tokens = statementTokens(statement);
    let cursor = 0;
    for (const cmd of commands) {
      if (cmd.subtype !== 'AT_DropColumn') continue;
      const at = findWords(tokens, ['drop'], cursor);
      if (at < 0) break;
      let i = at + 1;
      if (tokens[i]?.value === 'column' && tokens[i].type === 'word') i++;
      if (tokens[i]?.value === 'if' && tokens[i + 1]?.value === 'exists') i += 2;
      cursor = i + 1;
      const anchor = tokens[i];
      context.report({
        messageId: 'dropColumn',
        data: { table, column: cmd.name },
        details: [
          { kind: 'suggestion', text: 'Deploy code that no longer uses the column first, then drop it.' },
          { kind: 'evidence', text: `It also takes ${lockImpact(context, 'AccessExclusiveLock', table, relation.schemaname)}.` },
        ],
        start: anchor?.start,
        end: anchor?.end,
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, relation.schemaname), column: cmd.name },
      });
    }
  },
};

// Renaming a column or a table is instant, but every query of the code that is running now still uses the old
// name and fails from the moment the migration commits until new code is deployed everywhere. It also takes
// ACCESS EXCLUSIVE (ALTER TABLE: RENAME), so it waits behind running queries and blocks everything behind it.

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { isNewTable, lockEvidence, lockImpact, relationNameSpan, statementTokens } from './support';

export const renamingColumnOrTable: Rule = {
  meta: {
    id: 'renaming-column-or-table',
    description: 'RENAME of a column or table breaks the code that is running while the migration deploys.',
    defaultSeverity: 'warning',
    category: 'correctness',
    kind: 'statement',
    messages: {
      renameColumn: 'Renaming {{table}}.{{column}} to {{newName}} breaks every running query and deployed code using {{column}}',
      renameTable: 'Renaming table {{table}} to {{newName}} breaks every running query and deployed code using {{table}}',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'RenameStmt') return;
    const n = statement.node.RenameStmt;
    if (!n.relation || (n.renameType !== 'OBJECT_COLUMN' && n.renameType !== 'OBJECT_TABLE')) return;
    const table: string = n.relation.relname;
    if (isNewTable(context, table, n.relation.schemaname)) return;
    const impact = lockImpact(context, 'AccessExclusiveLock', table, n.relation.schemaname);
    if (n.renameType === 'OBJECT_COLUMN') {
      const tokens = statementTokens(statement);
      const at = findWords(tokens, ['rename']);
      let i = at + 1;
      if (tokens[i]?.type === 'word' && tokens[i].value === 'column') i++;
      const anchor = at >= 0 ? tokens[i] : undefined;
      context.report({
        messageId: 'renameColumn',
        data: { table, column: n.subname, newName: n.newname },
        details: [
          { kind: 'suggestion', text: 'Add the new column, write to both, move readers, then drop the old one (or rename in a release that no longer uses it).' },
          { kind: 'evidence', text: `It also takes ${impact}.` },
        ],
        start: anchor?.start,
        end: anchor?.end,
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, n.relation.schemaname), column: n.subname, newName: n.newname },
      });
    } else {
      const span = relationNameSpan(statement, n.relation);
      context.report({
        messageId: 'renameTable',
        data: { table, newName: n.newname },
        details: [
          { kind: 'suggestion', text: `Rename in a release that no longer uses the old name, or keep a view named ${table} during the switch.` },
          { kind: 'evidence', text: `It also takes ${impact}.` },
        ],
        start: span?.start,
        end: span?.end,
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, n.relation.schemaname), newName: n.newname },
      });
    }
  },
};

// ADD CONSTRAINT ... NOT VALID exists to split a constraint in two: a brief strong lock to add it (ACCESS
// EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key), then VALIDATE CONSTRAINT, which scans
// the table under SHARE UPDATE EXCLUSIVE only (ALTER TABLE reference page, "Notes"). Inside one transaction the
// first lock is held until COMMIT, so it is still held while VALIDATE scans the whole table: NOT VALID saves
// nothing. The VALIDATE belongs in a later transaction (the next migration).

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { alterOfExistingTable, historyOf, lockEvidence, lockImpact, statementTokens } from './support';

export const validatingConstraintInSameTransaction: Rule = {
  meta: {
    id: 'validating-constraint-in-same-transaction',
    description: 'VALIDATE CONSTRAINT in the same transaction as the ADD ... NOT VALID before it keeps the strong lock of the ADD for the whole scan.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      lockStillHeld: 'VALIDATE CONSTRAINT {{constraint}} runs in the transaction of its ADD ... NOT VALID: the lock is still held',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    const history = historyOf(context);
    const tokens = statementTokens(statement);
    let cursor = 0;
    for (const cmd of commands) {
      if (cmd.subtype !== 'AT_ValidateConstraint' || !cmd.name) continue;
      const at = findWords(tokens, ['validate'], cursor);
      cursor = at + 1;
      const added = history.notValidConstraints.get(cmd.name);
      if (!added || added.table !== table) continue;
      // Same transaction: nothing committed in between, and both inside one (the migration's, or an explicit BEGIN).
      // (BEGIN and COMMIT both start a new segment, so an explicit transaction open now was open at the ADD too.)
      const sameTransaction = added.segment === history.transactionSegment && (history.openTransaction || context.migration?.inTransaction === true);
      if (!sameTransaction) continue;
      const mode = added.foreignKey ? 'ShareRowExclusiveLock' : 'AccessExclusiveLock';
      context.report({
        messageId: 'lockStillHeld',
        data: { constraint: cmd.name },
        details: [
          {
            kind: 'evidence',
            text: `The ${added.foreignKey ? 'SHARE ROW EXCLUSIVE of the foreign key (on both tables)' : 'ACCESS EXCLUSIVE of the ADD'} is held while VALIDATE scans every row: ${lockImpact(context, mode, table, relation.schemaname)}.`,
          },
          { kind: 'suggestion', text: 'NOT VALID saves nothing here; commit in between (VALIDATE in the next migration).' },
        ],
        start: at >= 0 ? tokens[at].start : undefined,
        end: at >= 0 ? tokens[at + 1]?.end ?? tokens[at].end : undefined,
        evidence: { ...lockEvidence(context, mode, table, relation.schemaname), constraint: cmd.name },
      });
    }
  },
};


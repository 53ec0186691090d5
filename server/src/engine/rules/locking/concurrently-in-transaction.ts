// CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY and
// VACUUM refuse to run inside a transaction block (each command's reference page: "cannot be executed inside a
// transaction block"); a migration framework that wraps the file in BEGIN ... COMMIT makes the deploy fail.

import { locksForStatement } from '../../locks/lockModel';
import { findWords } from '../../locks/tokens';
import type { Rule } from '../rule';
import { historyOf, lockModelContextFor, statementTokens } from './support';

function commandName(kind: string, text: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  if (kind === 'VacuumStmt') return words[0].toUpperCase();
  return words.slice(0, 3).join(' ').toUpperCase();
}

export const concurrentlyInTransaction: Rule = {
  meta: {
    id: 'concurrently-in-transaction',
    description: 'A statement that cannot run inside a transaction block (CONCURRENTLY, VACUUM) in a migration that runs in one.',
    defaultSeverity: 'error',
    category: 'locking',
    kind: 'statement',
  },
  check(context) {
    const { statement } = context;
    const explicit = historyOf(context).openTransaction;
    const wrapped = context.migration?.isMigration === true && context.migration.inTransaction;
    if (!explicit && !wrapped) return;
    const locks = locksForStatement(statement, lockModelContextFor(context));
    if (locks.canRunInTransaction) return;
    const tokens = statementTokens(statement);
    const at = findWords(tokens, ['concurrently']);
    const anchor = at >= 0 ? tokens[at] : tokens[0];
    const name = at >= 0 ? 'CONCURRENTLY' : commandName(statement.kind, statement.text);
    const where = explicit
      ? 'it follows an explicit BEGIN in this file'
      : 'this migration runs inside a transaction (most migration tools wrap each file in one)';
    context.report({
      message: `${name === 'CONCURRENTLY' ? `${statement.text.split(/\s+/).slice(0, 2).join(' ').toUpperCase()} ... CONCURRENTLY` : name} cannot run inside a transaction block, and ${where}: the migration will fail with "cannot run inside a transaction block". Put it in its own migration that runs without a transaction (knex: config.transaction = false; dbmate: transaction:false; add "-- pglens: no-transaction" so pglens knows).`,
      start: anchor?.start,
      end: anchor?.end,
      evidence: { inTransaction: true, explicitBegin: explicit },
    });
  },
};

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
    messages: {
      assumedOutside: '{{command}} cannot run inside a transaction block; pglens assumes this migration runs without one',
      afterBegin: '{{command}} cannot run inside a transaction block, and it follows an explicit BEGIN',
      inMigrationTransaction: '{{command}} cannot run inside a transaction block, and this migration runs in one',
    },
  },
  check(context) {
    const { statement } = context;
    const explicit = historyOf(context).openTransaction;
    const migration = context.migration?.isMigration === true ? context.migration : undefined;
    const transaction = migration ? migration.transaction ?? (migration.inTransaction ? 'yes' : 'no') : undefined;
    // An error only when the file certainly runs in a transaction block; an unknown runner gets an info at most.
    const wrapped = transaction === 'yes' || transaction === 'implicit-multi';
    if (!explicit && !wrapped && transaction !== 'unknown') return;
    const locks = locksForStatement(statement, lockModelContextFor(context));
    if (locks.canRunInTransaction) return;
    const tokens = statementTokens(statement);
    const at = findWords(tokens, ['concurrently']);
    const anchor = at >= 0 ? tokens[at] : tokens[0];
    const name = at >= 0 ? 'CONCURRENTLY' : commandName(statement.kind, statement.text);
    const what = name === 'CONCURRENTLY' ? `${statement.text.split(/\s+/).slice(0, 2).join(' ').toUpperCase()} ... CONCURRENTLY` : name;
    if (!explicit && !wrapped) {
      context.report({
        severity: 'info',
        messageId: 'assumedOutside',
        data: { command: what },
        details: [
          { kind: 'evidence', text: `${(migration?.transactionReason ?? 'pglens does not know whether this migration runs in a transaction').replace(/\.$/, '')}.` },
          { kind: 'suggestion', text: 'If your tool wraps each migration in a transaction, set "migrationsInTransaction": true in pglens.json and pglens reports this as an error.' },
        ],
        start: anchor?.start,
        end: anchor?.end,
        evidence: { inTransaction: 'unknown', assumption: 'no transaction', configKey: 'migrationsInTransaction' },
      });
      return;
    }
    const remedy =
      transaction === 'implicit-multi' && !explicit
        ? 'Put it alone in a migration of its own: a file of a single statement runs outside a transaction.'
        : 'Put it in its own migration that runs without a transaction (knex: config.transaction = false; dbmate: transaction:false; node-pg-migrate: pgm.noTransaction(); graphile-migrate: --! no-transaction; add "-- pglens: no-transaction" for other tools).';
    context.report({
      messageId: explicit ? 'afterBegin' : 'inMigrationTransaction',
      data: { command: what },
      details: [
        { kind: 'evidence', text: `The migration will fail with "cannot run inside a transaction block"${explicit ? '' : ` (${migration?.transactionReason ?? 'the migration tool wraps the file in one'})`}.` },
        { kind: 'suggestion', text: remedy },
      ],
      start: anchor?.start,
      end: anchor?.end,
      evidence: { inTransaction: true, explicitBegin: explicit, transaction: explicit ? 'explicit' : transaction, reason: explicit ? 'explicit BEGIN' : migration?.transactionReason },
    });
  },
};

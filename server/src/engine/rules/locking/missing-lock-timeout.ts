// A statement that needs ACCESS EXCLUSIVE waits for every query already running on the table, and while it
// waits every new query on the table queues behind it (docs, "Explicit Locking": lock requests are granted in
// order; a waiting ACCESS EXCLUSIVE conflicts with everything). A migration without lock_timeout can thus
// take the application down for as long as the slowest running query. With `SET lock_timeout` the migration
// fails fast instead and can be retried.

import { addToFileHistory, createdEarlier, emptyFileHistory, locksForStatement, type FileHistory, type StatementLocks } from '../../locks/lockModel';
import type { ParsedStatement } from '../../parse/parse';
import type { Rule, RuleContext } from '../rule';
import { historyOf, isNewTable, lockEvidence, lockModelContextFor, sqlEdit } from './support';

function accessExclusiveOnExisting(context: RuleContext, statement: ParsedStatement, history: FileHistory): StatementLocks['locks'][number] | undefined {
  const locks = locksForStatement(statement, { ...lockModelContextFor(context), history });
  return locks.locks.find(
    (l) => l.mode === 'AccessExclusiveLock' && (l.relationKind ?? 'table') !== 'index' && !createdEarlier(history, l.table, l.schema) && !/^CREATE (TABLE|MATERIALIZED VIEW|VIEW)/.test(l.reason),
  );
}

/** Per file (the engine's growing array of earlier statements): how far it was scanned and whether one needed ACCESS EXCLUSIVE. */
const scans = new WeakMap<ParsedStatement[], { scanned: number; last: ParsedStatement | undefined; found: boolean; history: FileHistory }>();

/** Whether an earlier statement of the file already took ACCESS EXCLUSIVE on an existing table (reported there). */
function reportedEarlier(context: RuleContext): boolean {
  const previous = context.previousStatements;
  let scan = scans.get(previous);
  if (!scan || scan.scanned > previous.length || previous[scan.scanned - 1] !== scan.last) {
    scan = { scanned: 0, last: undefined, found: false, history: emptyFileHistory() };
    scans.set(previous, scan);
  }
  for (let i = scan.scanned; i < previous.length && !scan.found; i++) {
    if (accessExclusiveOnExisting(context, previous[i], scan.history)) scan.found = true;
    addToFileHistory(scan.history, previous[i]);
    scan.scanned = i + 1;
    scan.last = previous[i];
  }
  return scan.found;
}

export const missingLockTimeout: Rule = {
  meta: {
    id: 'missing-lock-timeout',
    description: 'A migration takes ACCESS EXCLUSIVE on an existing table without setting lock_timeout first.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    options: {
      lockTimeout: { type: 'string', default: '5s', description: 'The lock_timeout the fix sets.', pattern: '^\\d+(?:\\.\\d+)?\\s*(?:us|ms|s|min|h|d)?$', patternDescription: 'a PostgreSQL duration such as "5s" or "500ms"' },
    },
    fixable: true,
    messages: {
      noLockTimeout: '{{statement}} needs ACCESS EXCLUSIVE on {{table}}, and no lock_timeout is set before it',
    },
  },
  check(context) {
    const { statement } = context;
    if (context.migration?.isMigration !== true) return;
    if (historyOf(context).lockTimeoutSet) return;
    const lock = accessExclusiveOnExisting(context, statement, historyOf(context));
    if (!lock || isNewTable(context, lock.table, lock.schema)) return;
    // Reported once per file: on the first statement that needs it.
    if (reportedEarlier(context)) return;
    const timeout = String(context.options.lockTimeout ?? '5s');
    const setting = `SET lock_timeout = '${timeout.replace(/'/g, "''")}';`;
    const location = lock.location;
    const nameEnd = location !== undefined ? location + (statement.site.text.slice(location).match(/^("([^"]|"")*"|[\w$]+)/)?.[0].length ?? 1) : undefined;
    context.report({
      messageId: 'noLockTimeout',
      data: { statement: lock.reason, table: lock.table },
      details: [
        { kind: 'evidence', text: `While it waits for running queries on ${lock.table}, every new read and write of ${lock.table} queues behind it.` },
        { kind: 'suggestion', text: `Start the migration with ${setting} so it fails fast instead, and retry.` },
      ],
      start: location,
      end: nameEnd,
      evidence: lockEvidence(context, 'AccessExclusiveLock', lock.table, lock.schema),
      fixes: [
        {
          title: `Set lock_timeout = '${timeout}' before this statement`,
          sql: setting,
          edits: [sqlEdit(statement, statement.start, statement.start, `${setting}\n`)],
        },
      ],
    });
  },
};

// Tables another session holds (or waits for) an ACCESS EXCLUSIVE lock on. Planning a statement opens its tables
// with ACCESS SHARE, which waits behind such a lock until lock_timeout; a check run of thousands of statements on a
// locked table would wait lock_timeout for each of them. After the first lock timeout, pglens asks pg_locks which
// tables are locked, and statements that name one of them are not planned for a few seconds, at once, with that reason.
// Other statements go on as usual.

import type { ParsedStatement } from '../parse/parse';
import { walkAst } from '../parse/parse';
import { withReadOnlyTransaction, type DatabaseClient, type TransactionLimits } from './client';

/** How long a table found locked is taken as locked before a statement tries it again. */
const LOCKED_FOR_MS = 5_000;
/** At most one pg_locks look-up in this interval, however many statements time out at once. */
const LOOKUP_INTERVAL_MS = 1_000;

// ACCESS EXCLUSIVE locks granted or queued (a queued one blocks ACCESS SHARE requests behind it), on a table or on
// one of its indexes, held by any other session of this database.
const LOCKED_TABLES_SQL = `
SELECT DISTINCT coalesce(t.relname, c.relname) AS name
FROM pg_catalog.pg_locks l
JOIN pg_catalog.pg_class c ON c.oid = l.relation
LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_catalog.pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())`;

/** A statement not planned because a table it names is locked by another session (counts as a database failure). */
export class RelationLockedError extends Error {
  readonly code = '55P03';
  constructor(table: string, lockTimeoutMs: number) {
    super(`table ${table} is locked by another session (ACCESS EXCLUSIVE; planning waited ${lockTimeoutMs} ms for it)`);
    this.name = 'RelationLockedError';
  }
}

export class LockedRelations {
  private readonly lockedUntil = new Map<string, number>();
  private lookup?: Promise<void>;
  private lastLookup = 0;

  constructor(
    private readonly db: DatabaseClient,
    private readonly limits: TransactionLimits,
  ) {}

  /** Throws RelationLockedError when the statement names a table known to be locked right now. */
  refuseIfLocked(statement: ParsedStatement): void {
    if (this.lockedUntil.size === 0) return;
    const now = Date.now();
    for (const name of relationNames(statement)) {
      const until = this.lockedUntil.get(name);
      if (until === undefined) continue;
      if (until > now) throw new RelationLockedError(name, this.limits.lockTimeoutMs);
      this.lockedUntil.delete(name);
    }
  }

  /** After a lock timeout: learn which tables are locked (one look-up for a burst of timeouts). */
  async noteLockTimeout(): Promise<void> {
    if (this.lookup) return this.lookup;
    if (Date.now() - this.lastLookup < LOOKUP_INTERVAL_MS) return;
    this.lastLookup = Date.now();
    this.lookup = withReadOnlyTransaction(this.db, this.limits, (session) => session.query<{ name: string }>(LOCKED_TABLES_SQL))
      .then(({ rows }) => {
        const until = Date.now() + LOCKED_FOR_MS;
        for (const row of rows) this.lockedUntil.set(row.name, until);
      })
      .catch(() => undefined)
      .finally(() => {
        this.lookup = undefined;
      });
    return this.lookup;
  }
}

/** Names (unqualified, as stored: the parser folds unquoted names to lower case) of the tables a statement names. */
function relationNames(statement: ParsedStatement): Set<string> {
  const names = new Set<string>();
  walkAst(statement.node, (nodeType, body) => {
    if (nodeType === 'RangeVar' && typeof body.relname === 'string') names.add(body.relname);
  });
  // UPDATE/DELETE/INSERT targets are bare RangeVars (`relation`), not typed nodes.
  const relation = statement.node[statement.kind]?.relation;
  if (typeof relation?.relname === 'string') names.add(relation.relname);
  return names;
}

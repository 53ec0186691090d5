// PostgreSQL's table-level lock modes and their conflicts: docs, "Explicit Locking" (13.3.1 Table-Level Locks,
// Table 13.2 "Conflicting Lock Modes"). The names are those of pg_locks.mode.

export type LockMode =
  | 'AccessShareLock'
  | 'RowShareLock'
  | 'RowExclusiveLock'
  | 'ShareUpdateExclusiveLock'
  | 'ShareLock'
  | 'ShareRowExclusiveLock'
  | 'ExclusiveLock'
  | 'AccessExclusiveLock';

/** Weakest first; the index + 1 is the LOCK statement's numeric mode in the parse tree (LockStmt.mode). */
export const LOCK_MODES: readonly LockMode[] = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
];

export interface LockModeInfo {
  mode: LockMode;
  /** As written in SQL and in the docs: "ACCESS EXCLUSIVE". */
  displayName: string;
  /** Modes that conflict with this one (Table 13.2; the relation is symmetric, so blockedBy = blocks). */
  conflictsWith: LockMode[];
  /** What, in plain words, waits while this lock is held on the table ("{table}" is replaced). */
  blocksDescription: string;
  /** Typical statements that take it. */
  takenBy: string;
}

const CONFLICTS: Record<LockMode, LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: [
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: [
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  ExclusiveLock: [
    'RowShareLock',
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
  ],
  AccessExclusiveLock: [...LOCK_MODES],
};

const INFO: Record<LockMode, Omit<LockModeInfo, 'mode' | 'conflictsWith'>> = {
  AccessShareLock: {
    displayName: 'ACCESS SHARE',
    blocksDescription: 'blocks only ACCESS EXCLUSIVE (ALTER TABLE, DROP, TRUNCATE, VACUUM FULL) on {table}; reads and writes go on',
    takenBy: 'SELECT',
  },
  RowShareLock: {
    displayName: 'ROW SHARE',
    blocksDescription:
      'blocks EXCLUSIVE and ACCESS EXCLUSIVE (REFRESH MATERIALIZED VIEW CONCURRENTLY, most ALTER TABLE, DROP, TRUNCATE) on {table}; reads and writes go on',
    takenBy: 'SELECT ... FOR UPDATE / FOR SHARE',
  },
  RowExclusiveLock: {
    displayName: 'ROW EXCLUSIVE',
    blocksDescription:
      'blocks CREATE INDEX (without CONCURRENTLY) and schema changes of {table} (SHARE and stronger); reads and writes go on',
    takenBy: 'INSERT, UPDATE, DELETE, MERGE',
  },
  ShareUpdateExclusiveLock: {
    displayName: 'SHARE UPDATE EXCLUSIVE',
    blocksDescription:
      'blocks VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and schema changes of {table}; reads and writes go on',
    takenBy: 'VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, ALTER TABLE VALIDATE CONSTRAINT / SET STATISTICS / SET (fillfactor)',
  },
  ShareLock: {
    displayName: 'SHARE',
    blocksDescription: 'blocks every write (INSERT, UPDATE, DELETE) of {table} until the transaction ends; reads go on',
    takenBy: 'CREATE INDEX',
  },
  ShareRowExclusiveLock: {
    displayName: 'SHARE ROW EXCLUSIVE',
    blocksDescription:
      'blocks every write (INSERT, UPDATE, DELETE) and schema change of {table} until the transaction ends; reads go on',
    takenBy: 'CREATE TRIGGER, ALTER TABLE ADD FOREIGN KEY, ENABLE/DISABLE TRIGGER',
  },
  ExclusiveLock: {
    displayName: 'EXCLUSIVE',
    blocksDescription:
      'blocks every write and every SELECT ... FOR UPDATE/SHARE of {table} until the transaction ends; only plain reads go on',
    takenBy: 'REFRESH MATERIALIZED VIEW CONCURRENTLY',
  },
  AccessExclusiveLock: {
    displayName: 'ACCESS EXCLUSIVE',
    blocksDescription: 'blocks every read and write of {table} until the transaction ends',
    takenBy: 'DROP TABLE, TRUNCATE, VACUUM FULL, CLUSTER, REFRESH MATERIALIZED VIEW, most ALTER TABLE forms, LOCK TABLE',
  },
};

export function lockModeInfo(mode: LockMode): LockModeInfo {
  return { mode, conflictsWith: CONFLICTS[mode], ...INFO[mode] };
}

/** 1 (ACCESS SHARE) .. 8 (ACCESS EXCLUSIVE). */
export function lockStrength(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode) + 1;
}

export function lockModeFromNumber(n: number): LockMode {
  return LOCK_MODES[Math.max(1, Math.min(8, n)) - 1];
}

export function lockDisplayName(mode: LockMode): string {
  return INFO[mode].displayName;
}

export function lockModeConflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

/** "blocks every read and write of accounts until the transaction ends" */
export function describeWhatLockBlocks(mode: LockMode, table: string): string {
  return INFO[mode].blocksDescription.replace(/\{table\}/g, table);
}

export function strongerLock(a: LockMode, b: LockMode): LockMode {
  return lockStrength(a) >= lockStrength(b) ? a : b;
}

/** Whether the mode keeps writers out (SHARE and stronger, except SHARE UPDATE EXCLUSIVE). */
export function lockBlocksWrites(mode: LockMode): boolean {
  return lockModeConflicts(mode, 'RowExclusiveLock');
}

export function lockBlocksReads(mode: LockMode): boolean {
  return lockModeConflicts(mode, 'AccessShareLock');
}

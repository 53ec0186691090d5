// A production snapshot holding only pg_stat_statements numbers (no relations, no settings), as the tests and the
// CodeLens benchmark write them: each statement by its text, the fingerprint computed as `pglens snapshot` does.

import { fingerprintOf } from '../../server/src/engine/parse/libpgQuery';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type ProductionSnapshot } from '../../server/src/engine/snapshot/format';

export interface StatementNumbers {
  query: string;
  calls: number;
  totalMs: number;
}

/** `totalMs`: every statement of the database together (the share of DB time divides by it). Call loadPgQuery() first. */
export function statementsSnapshot(statements: StatementNumbers[], options: { totalMs: number; statsReset?: string; takenAt?: string }): ProductionSnapshot {
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    takenAt: options.takenAt ?? '2026-12-01T12:00:00.000Z',
    server: { version: '15.10', versionNum: 150010, database: 'shop' },
    settings: {},
    privacy: { withValues: false, valuesDropped: [] },
    relations: [],
    statements: {
      available: true,
      totalMs: options.totalMs,
      ...(options.statsReset ? { statsReset: options.statsReset } : {}),
      entries: statements.map(({ query, calls, totalMs }) => ({ fingerprint: fingerprintOf(query), query, calls, totalMs, meanMs: totalMs / calls, rows: 0, sharedBlocksHit: 0, sharedBlocksRead: 0 })),
    },
  };
}

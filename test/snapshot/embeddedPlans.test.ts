// The embedded database (PGlite, PostgreSQL 18) built from examples/shop's migrations and described by a snapshot of a
// real PostgreSQL 15 holding the shop's rows plans the shop's statements as that server does: same plan shapes (scans,
// joins, sorts, with their tables and indexes) for at least 90% of the statements.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { loadShopDatabase, SHOP_DIR } from '../harness/shopDatabase';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import { openEmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { explainStatement } from '../../server/src/engine/db/explain';
import { Engine } from '../../server/src/engine/analyze';
import { loadConfig } from '../../server/src/engine/config';
import type { PlanNode } from '../../server/src/engine/plan/model';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { readProductionSnapshot } from '../../server/src/engine/snapshot/read';

const LIMITS = { statementTimeoutMs: 30_000, lockTimeoutMs: 1_000 };
let shop: TestFileDatabase;

before(async () => {
  shop = await openTestFileDatabase('pglens_snapshot_shop');
  // Half the example's volumes: orders 150k, order items 300k, events 100k.
  await loadShopDatabase(shop.client, 0.5);
});

after(async () => {
  await shop?.drop();
});

/** Scan, join and sort nodes with their tables and indexes; Gather nodes and "Parallel" left out (PGlite plans none). */
function planShape(node: PlanNode): string {
  const children = node.children.map(planShape).join(', ');
  if (node.nodeType === 'Gather' || node.nodeType === 'Gather Merge') return children;
  const name = node.nodeType.replace(/^Parallel /, '');
  const on = [node.relationName, node.indexName].filter(Boolean).join(' ');
  return `${name}${on ? ` ${on}` : ''}${children ? `(${children})` : ''}`;
}

/** The plan shape of each statement of the shop's code, by file:line. */
async function shapesOf(database: DatabaseClient, notes = new Set<string>()): Promise<Map<string, string>> {
  const engine = new Engine({ config: loadConfig(join(SHOP_DIR, 'pglens.json'), SHOP_DIR) });
  const shapes = new Map<string, string>();
  for (const file of ['catalog.ts', 'customers.ts', 'orders.ts']) {
    const path = join(SHOP_DIR, 'src', file);
    const text = readFileSync(path, 'utf8');
    for (const { statement, fileStart } of await engine.statementsIn(path, text)) {
      const plan = await explainStatement(database, statement, LIMITS);
      shapes.set(`src/${file}:${text.slice(0, fileStart).split('\n').length}`, planShape(plan.root));
      for (const note of plan.notes) notes.add(note);
    }
  }
  return shapes;
}

test('the embedded PostgreSQL 18 described by the snapshot plans the shop like PostgreSQL 15 with its rows', async (t) => {
  const database = await connectPostgres(shop.url, { maxConnections: 1, sessionLimits: LIMITS });
  try {
    const snapshot = await readProductionSnapshot(database, { withValues: false, limits: LIMITS, now: new Date('2026-12-01T12:00:00Z') });
    const embedded = await openEmbeddedDatabase({ workspaceRoot: SHOP_DIR, snapshot });
    try {
      assert.equal(embedded.info.syntheticDataNote, 'planned with production statistics of 2026-12-01');
      assert.equal(embedded.info.productionStatisticsOf, '2026-12-01T12:00:00.000Z');
      // A small buffer pool (the process's RSS, embedded.ts memoryParams); what the planner reads is production's.
      const settings = await embedded.withSession((session) =>
        session.query<{ shared_buffers: string; effective_cache_size: string }>(
          `select current_setting('shared_buffers') as shared_buffers, current_setting('effective_cache_size') as effective_cache_size`,
        ),
      );
      assert.equal(settings.rows[0].shared_buffers, '16MB');
      assert.equal(settings.rows[0].effective_cache_size, (await database.withSession((session) => session.query<{ value: string }>(`select current_setting('effective_cache_size') as value`))).rows[0].value);
      const real = await shapesOf(database);
      const notes = new Set<string>();
      const described = await shapesOf(embedded, notes);
      // Every plan (so every finding from it, in each output format) says what it was planned with.
      assert.ok(notes.has('planned with production statistics of 2026-12-01'), [...notes].join('; '));
      assert.equal(described.size, real.size);
      assert.ok(real.size >= 10, `${real.size} statements`);
      const same = [...real].filter(([site, shape]) => described.get(site) === shape);
      const differing = [...real].filter(([site, shape]) => described.get(site) !== shape).map(([site, shape]) => `${site}: real ${shape}, embedded ${described.get(site)}`);
      t.diagnostic(`same plan shape for ${same.length} of ${real.size} statements${differing.length ? `; differing: ${differing.join('; ')}` : ''}`);
      assert.ok(same.length / real.size >= 0.9, `same plan shape for ${same.length} of ${real.size}; ${differing.join('; ')}`);
      // What the example's README calls slow is slow here too, and the primary-key lookups stay index scans.
      assert.match(described.get('src/orders.ts:14') ?? '', /Seq Scan orders/);
      assert.match(described.get('src/customers.ts:12') ?? '', /Index Scan customers customers_pkey/);
    } finally {
      await embedded.close();
    }
  } finally {
    await database.close();
  }
});

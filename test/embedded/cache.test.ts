import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { makeCacheDir, makeWorkspace, removeTemporary, writeFiles } from './helpers';

const INIT = `
CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), status text NOT NULL CHECK (status IN ('paid', 'open')));
`;
const volumes = { customers: 500, orders: 5000 };

let root: string;
let cacheDir: string;

before(async () => {
  root = makeWorkspace({ 'migrations/0001_init.sql': INIT });
  cacheDir = await makeCacheDir();
});

after(() => removeTemporary(root, cacheDir));

async function open(): Promise<{ db: EmbeddedDatabase; ms: number }> {
  const started = performance.now();
  const db = await openEmbeddedDatabase({ workspaceRoot: root, cacheDir, volumes });
  return { db, ms: performance.now() - started };
}

async function planOf(db: EmbeddedDatabase, sql: string): Promise<string> {
  const result = await db.withSession((session) => session.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`));
  return result.rows.map((row) => row['QUERY PLAN']).join('\n');
}

function entries(): string[] {
  return readdirSync(cacheDir).filter((name) => name.startsWith('db-'));
}

const QUERY = 'SELECT * FROM orders WHERE customer_id = 7';

test('the second open comes from the cache, is faster, and plans the same', async () => {
  const cold = await open();
  const coldPlan = await planOf(cold.db, QUERY);
  const coldVolumes = cold.db.tableVolumes;
  assert.equal(cold.db.fromCache, false);
  await cold.db.close();

  const warm = await open();
  try {
    assert.equal(warm.db.fromCache, true);
    assert.ok(warm.ms < cold.ms, `warm ${Math.round(warm.ms)} ms < cold ${Math.round(cold.ms)} ms`);
    assert.deepEqual(warm.db.tableVolumes, coldVolumes);
    assert.equal(await planOf(warm.db, QUERY), coldPlan);
    assert.match(coldPlan, /Seq Scan on orders/);
    // The session works on a private copy: an index trial in the copy never reaches the cache entry.
    await warm.db.withSession(async (session) => {
      await session.query('CREATE TABLE scratch (x int)');
    });
  } finally {
    await warm.db.close();
  }
  assert.deepEqual(readdirSync(path.join(cacheDir, 'work')), [], 'the session copy is removed on close');
  const again = await open();
  try {
    assert.equal(again.db.fromCache, true);
    const scratch = await again.db.withSession((session) => session.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'scratch'`));
    assert.equal(scratch.rows[0].n, 0);
  } finally {
    await again.db.close();
  }
});

test('a schema change rebuilds; the old entry stays for switching back', async () => {
  const before = entries();
  writeFiles(root, { 'migrations/0002_index.sql': 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);' });
  const { db } = await open();
  try {
    assert.equal(db.fromCache, false);
    assert.match(await planOf(db, QUERY), /orders_customer_id_idx/);
  } finally {
    await db.close();
  }
  assert.equal(entries().length, before.length + 1);
});

test('a damaged entry (truncated file, or a garbled pg_control of the right size) is discarded and rebuilt', async () => {
  const warm = await open();
  assert.equal(warm.db.fromCache, true);
  await warm.db.close();
  const [entry] = entries()
    .map((name) => path.join(cacheDir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);

  const largest = largestFile(path.join(entry, 'base'));
  truncateSync(largest, Math.floor(statSync(largest).size / 2));
  const afterTruncation = await open();
  try {
    assert.equal(afterTruncation.db.fromCache, false);
    assert.equal(afterTruncation.db.tableVolumes.orders, 5000);
  } finally {
    await afterTruncation.db.close();
  }

  const control = path.join(entry, 'global', 'pg_control');
  writeFileSync(control, randomBytes(statSync(control).size));
  const afterGarbage = await open();
  try {
    assert.equal(afterGarbage.db.fromCache, false);
    assert.match(await planOf(afterGarbage.db, QUERY), /orders_customer_id_idx/);
  } finally {
    await afterGarbage.db.close();
  }
  assert.ok(JSON.parse(readFileSync(path.join(entry, 'pglens-embedded.json'), 'utf8')).key, 'the rebuilt entry has its metadata');
});

test('work left by a killed process is removed on the next start', async () => {
  const leftover = path.join(cacheDir, 'work', 'building-99999999-deadbeef');
  mkdirSync(path.join(leftover, 'base'), { recursive: true });
  const { db } = await open();
  await db.close();
  assert.equal(existsSync(leftover), false);
});

function largestFile(directory: string): string {
  let best = { file: '', size: -1 };
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (statSync(full).size > best.size) best = { file: full, size: statSync(full).size };
    }
  };
  walk(directory);
  return best.file;
}

// `pglens locks --db URL` against the fixture database: sizes in the text, the table of an index for DROP INDEX,
// the current column type for ALTER COLUMN TYPE, and nothing written to the database.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { getSharedTestDatabase, type SharedTestDatabase } from '../harness/postgres';
import { runLocksCommand } from '../../server/src/cli/locksCommand';

let db: SharedTestDatabase;
before(async () => {
  db = await getSharedTestDatabase();
});

function sink(): Writable & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  s.text = '';
  return s;
}

test('pglens locks --db: table sizes, the index owner and the current column type come from the database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-locks-db-'));
  const file = join(dir, 'migration.sql');
  writeFileSync(
    file,
    ['DROP INDEX orders_created_at_idx;', 'ALTER TABLE orders ALTER COLUMN status TYPE varchar(20);', 'ALTER TABLE orders ALTER COLUMN customer_email TYPE varchar;', 'CREATE INDEX ON orders (status);', ''].join('\n'),
  );

  const client = new Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ rows: number }>(`select reltuples::float8 as rows from pg_class where oid = 'public.orders'::regclass`);
  await client.end();
  assert.ok(rows[0].rows > 100_000, 'the fixture orders table is large');

  const out = sink();
  const err = sink();
  assert.equal(await runLocksCommand(['--db', db.url, file], { stdout: out, stderr: err }), 0, err.text);
  const text = out.text;
  // DROP INDEX: the table is resolved from the catalog, with its size.
  assert.match(text, /^ {2}1 {2}DROP INDEX orders_created_at_idx\n {5}ACCESS EXCLUSIVE on orders: blocks every read and write of orders until the transaction ends \(orders: [\d.]+[kM]? rows, [\d.]+ MB\)/m);
  // ALTER COLUMN TYPE: the current type (text) is read from the database.
  assert.match(text, /text to varchar\(20\) is not binary-coercible: the table and its indexes are rewritten/);
  assert.match(text, /text to varchar is binary-coercible: no rewrite/);

  const json = sink();
  assert.equal(await runLocksCommand(['--db', db.url, '--format', 'json', file], { stdout: json, stderr: sink() }), 0);
  const entries = JSON.parse(json.text);
  const modes = (locks: Array<{ table: string; mode: string; kind: string }>) => locks.map(({ table, mode, kind }) => ({ table, mode, kind }));
  // DROP INDEX takes ACCESS EXCLUSIVE on the table as well as the index, and the JSON says so with the table's size.
  assert.deepEqual(modes(entries[0].locks), [
    { table: 'orders', mode: 'AccessExclusiveLock', kind: 'table' },
    { table: 'orders_created_at_idx', mode: 'AccessExclusiveLock', kind: 'index' },
  ]);
  assert.ok(entries[0].locks[0].rows > 100_000);
  assert.deepEqual([entries[1].rewrite, entries[2].rewrite], [true, false]);
  assert.deepEqual(modes(entries[3].locks), [{ table: 'orders', mode: 'ShareLock', kind: 'table' }]);
  assert.equal(entries[3].scan, true);
});

// In the embedded database (PGlite: no hypopg, and no other user) the advisor always verifies by index trial:
// the real index inside a rolled-back transaction.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openEmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { readSchemaFacts } from '../../server/src/engine/db/schemaFacts';
import { adviseStatement } from '../../server/src/engine/advise/index';
import { makeWorkspace, removeTemporary } from '../embedded/helpers';
import { parseOne, settings } from './advisorTestUtils';

describe('the advisor on the embedded database', () => {
  test('a missing index and a foreign-key check are verified by index trial, even with indexTrials off, and nothing is left behind', async () => {
    const root = makeWorkspace({
      'db/schema.sql': `
        create table customers (id bigint primary key, email text not null, status text not null);
        create table purchases (id bigint primary key, customer_id bigint not null references customers (id),
                                status text not null, created_at timestamptz not null, total bigint not null);`,
    });
    const db = await openEmbeddedDatabase({ workspaceRoot: root, schemaGlobs: ['db/schema.sql'], volumes: { customers: 12000, purchases: 50000 }, cacheDir: false });
    try {
      assert.equal(db.info.kind, 'embedded');
      const schema = await readSchemaFacts(db);
      const indexes = async () => (await db.withSession((session) => session.query<{ indexdef: string }>("select indexdef from pg_indexes where schemaname = 'public' order by 1"))).rows;
      const before = await indexes();
      const lookup = await adviseStatement({ database: db, statement: await parseOne('select * from purchases where customer_id = $1 order by created_at desc limit 10'), schema, settings: settings({ indexTrials: false }) });
      assert.equal(lookup.method, 'index trial');
      assert.match(lookup.suggestion!.sql, /^CREATE INDEX ON purchases \(customer_id/);
      assert.equal(lookup.suggestion!.verifiedWith, 'index trial');
      const remove = await adviseStatement({ database: db, statement: await parseOne('delete from customers where id = $1'), schema, settings: settings({ indexTrials: false }) });
      assert.deepEqual(remove.foreignKeys.map((f) => [f.sql, f.verifiedWith]), [['CREATE INDEX ON purchases (customer_id)', 'index trial']]);
      assert.deepEqual(await indexes(), before);
    } finally {
      await db.close();
      removeTemporary(root);
    }
  });
});

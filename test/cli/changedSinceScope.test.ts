// Which migrations are history and which code is down code: the rules behind `migrations.baseline`, the run order
// and `checkDown` (server/src/engine/migrationScope.ts), on names and texts taken from real layouts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareMigrationNames, isAtOrBeforeBaseline, isDownFile, migrationName, withoutDownCode } from '../../server/src/engine/migrationScope';

test('a migration is named by its file, or by its folder when the file name is generic', () => {
  assert.equal(migrationName('/r/prisma/migrations/20240101000000_init/migration.sql'), '20240101000000_init');
  assert.equal(migrationName('/r/db/migrations/000012_add_users.up.sql'), '000012_add_users');
  assert.equal(migrationName('/r/db/migration/V12__orders.sql'), 'V12__orders');
  assert.equal(migrationName('/r/src/actions/2023.10.25T00-00-00.orgs.ts'), '2023.10.25T00-00-00.orgs');
  assert.equal(migrationName('/r/migrations/0003_x/up.sql'), '0003_x');
  assert.equal(migrationName('/r/packages/database/migration/20260625104904_codes/utils.test.ts'), '20260625104904_codes');
  assert.equal(migrationName('/r/migrations/helpers/seed.ts'), 'seed');
});

test('baseline: versions compare as numbers, a bare version covers its migrations, other names as text', () => {
  assert.equal(isAtOrBeforeBaseline('20240101000000_init', '20240101000000'), true);
  assert.equal(isAtOrBeforeBaseline('20240101000001_next', '20240101000000'), false);
  assert.equal(isAtOrBeforeBaseline('V9__a', 'V10'), true);
  assert.equal(isAtOrBeforeBaseline('V10__b', 'V9'), false);
  assert.equal(isAtOrBeforeBaseline('000012_add_users', '12'), true);
  assert.equal(isAtOrBeforeBaseline('000013_x', '12'), false);
  assert.equal(isAtOrBeforeBaseline('20240101000000_b', '20240101000000_a'), false);
  assert.equal(isAtOrBeforeBaseline('2023.10.25T00-00-00.orgs', '2024.01.01'), true);
  assert.equal(isAtOrBeforeBaseline('2024.05.01T00-00-00.x', '2024.01.01'), false);
  assert.equal(isAtOrBeforeBaseline('add_users', 'b'), true);
});

test('run order: V9 before V10, then by name', () => {
  assert.deepEqual(['V10__b', 'V9__a', 'V10__a'].sort(compareMigrationNames), ['V9__a', 'V10__a', 'V10__b']);
});

test('down files are the ones named down', () => {
  assert.equal(isDownFile('/r/migrations/000012_x.down.sql'), true);
  assert.equal(isDownFile('/r/migrations/0003_x/down.sql'), true);
  assert.equal(isDownFile('/r/database/migrations/down/1700000000_users.sql'), true);
  assert.equal(isDownFile('/r/db/migration/U2__orders.sql'), true);
  assert.equal(isDownFile('/r/db/migration/V2__orders.sql'), false);
  assert.equal(isDownFile('/r/download/0001_x.sql'), false);
  assert.equal(isDownFile('/r/migrations/000012_x.up.sql'), false);
  assert.equal(isDownFile('/r/migrations/0005_slowdown.sql'), false);
});

test('down code is blanked with lines and offsets kept; up code is left as it is', () => {
  const dbmate = '-- migrate:up\nCREATE INDEX a ON t (x);\n\n-- migrate:down\nDROP INDEX a;\n';
  const blanked = withoutDownCode('m.sql', dbmate)!;
  assert.equal(blanked.length, dbmate.length);
  assert.equal(blanked.split('\n').length, dbmate.split('\n').length);
  assert.ok(blanked.startsWith('-- migrate:up\nCREATE INDEX a ON t (x);\n'));
  assert.doesNotMatch(blanked, /DROP/);
  assert.equal(withoutDownCode('m.sql', 'CREATE TABLE t (id int);\n'), undefined);

  const shapes = [
    "export async function up(db) { await db.query('CREATE INDEX a ON t (x)'); }\nexport async function down(db) { await db.query('DROP INDEX a'); }\n",
    "exports.up = (knex) => knex.raw('CREATE INDEX a ON t (x)');\nexports.down = (knex) => knex.raw('DROP INDEX a');\n",
    "module.exports = { up: async (q) => q.sequelize.query('CREATE INDEX a ON t (x)'), down: async (q) => q.sequelize.query('DROP INDEX a') };\n",
    "export class M1 { async up(q) { await q.query('CREATE INDEX a ON t (x)'); } async down(q) { await q.query('DROP INDEX a'); } }\n",
    "export const up = (pgm) => pgm.sql('CREATE INDEX a ON t (x)');\nexport const down = (pgm) => pgm.sql('DROP INDEX a');\n",
  ];
  for (const text of shapes) {
    const out = withoutDownCode('m.ts', text);
    assert.ok(out, text);
    assert.equal(out.length, text.length);
    assert.match(out, /CREATE INDEX a ON t \(x\)/, text);
    assert.doesNotMatch(out, /DROP INDEX/, text);
  }
  // A `down` that is only a word in a string is not down code.
  assert.equal(withoutDownCode('m.ts', "export const up = (db) => db.query('SELECT 1 -- slow down');\n"), undefined);
});

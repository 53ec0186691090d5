// `pglens check --fix`: the edits findings carry are applied to the files, and what pglens wrote parses as SQL;
// index migrations (new files) only with `--fix-type index`, written in the migrations folder as the editor's quick
// fix writes them.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPgQuery, parseToJson } from '../../server/src/engine/parse/libpgQuery';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, runCli, scratchFolder, stderrLines } from './cliHarness';

before(async () => {
  ensureCliBuilt();
  await loadPgQuery();
});

const MIGRATION = [
  'CREATE INDEX orders_x ON orders (x);',
  'DROP INDEX orders_y;',
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  '',
].join('\n');

const workspace = scratchFolder;

describe('--fix', { concurrency: true }, () => {
  test('applies the edits: CONCURRENTLY, NOT VALID with its VALIDATE migration beside it; the files parse; the fixed findings are gone', async () => {
    const dir = workspace({ 'migrations/001_orders.sql': MIGRATION });
    const result = await runCli(['check', 'migrations', '--no-embedded', '--fix'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(stderrLines(result), ['pglens: --fix: fixed 3 findings in 1 file, wrote migrations/002_validate_orders_user_fk.sql']);
    assert.match(result.stdout, /^✔ no problems in 1 file/);
    const fixed = readFileSync(join(dir, 'migrations', '001_orders.sql'), 'utf8');
    assert.equal(
      fixed,
      [
        'CREATE INDEX CONCURRENTLY orders_x ON orders (x);',
        'DROP INDEX CONCURRENTLY orders_y;',
        'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;',
        '',
      ].join('\n'),
    );
    assert.equal((parseToJson(fixed) as { stmts: unknown[] }).stmts.length, 3);
    const validate = readFileSync(join(dir, 'migrations', '002_validate_orders_user_fk.sql'), 'utf8');
    assert.match(validate, /\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;\n$/);
    assert.deepEqual(readdirSync(join(dir, 'migrations')).sort(), ['001_orders.sql', '002_validate_orders_user_fk.sql'], 'no temporary file left');
  });

  test('without --fix nothing is written', async () => {
    const dir = workspace({ 'migrations/001_orders.sql': MIGRATION });
    const result = await runCli(['check', 'migrations', '--no-embedded'], { cwd: dir });
    assert.match(result.stdout, /3 problems/);
    assert.equal(readFileSync(join(dir, 'migrations', '001_orders.sql'), 'utf8'), MIGRATION);
  });

  test('--fix-type takes edit or index only', async () => {
    const dir = workspace({ 'q.sql': 'select 1;\n' });
    const result = await runCli(['check', '--fix-type', 'layout'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(stderrLines(result)[0], /^pglens: unknown --fix-type "layout" \(use edit or index\)/);
  });

  test('an index migration the advisor proves is written only with --fix-type index', async () => {
    const url = (await getSharedTestDatabase()).url;
    const files = {
      'migrations/0001_init.sql': '',
      'src/billing.ts':
        "import { sql } from './db';\nexport const pending = (id: number) => sql`select * from invoices where account_id = ${id} and status = 'pending' order by issued_at desc limit 20`;\n",
    };
    const plain = workspace(files);
    await runCli(['check', '.', '--db', url, '--fix'], { cwd: plain });
    assert.deepEqual(readdirSync(join(plain, 'migrations')), ['0001_init.sql'], '--fix alone writes no migration');

    const dir = workspace(files);
    const result = await runCli(['check', '.', '--db', url, '--fix-type', 'index'], { cwd: dir });
    const written = readdirSync(join(dir, 'migrations')).filter((name) => name !== '0001_init.sql');
    assert.equal(written.length, 1, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, new RegExp(`--fix: fixed 1 finding in 0 files, wrote migrations/${written[0].replace('.', '\\.')}`));
    const content = readFileSync(join(dir, 'migrations', written[0]), 'utf8');
    assert.match(content, /CREATE INDEX CONCURRENTLY IF NOT EXISTS \S+ ON (public\.)?invoices /);
    assert.ok((parseToJson(content) as { stmts: unknown[] }).stmts.length >= 1);
  });
});

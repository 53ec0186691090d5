// Each migration tool's transaction model, on a fixture written the way that tool's users write it: the engine
// reads the file like `pglens check` does, and `concurrently-in-transaction` is an error only where the tool
// certainly runs the statement inside a transaction block.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { migrationContextFor, migrationContextResolver } from '../../server/src/engine/locks/migrations';
import type { MigrationTransaction } from '../../server/src/engine/rules/rule';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'migrations');

interface Expectation {
  fixture: string;
  framework: string;
  transaction: MigrationTransaction;
  /** The severity of concurrently-in-transaction on the file's CREATE INDEX CONCURRENTLY, or none. */
  finding: 'error' | 'info' | undefined;
}

const EXPECTED: Expectation[] = [
  { fixture: 'prisma-single-statement', framework: 'prisma', transaction: 'no', finding: undefined },
  { fixture: 'prisma-multi-statement', framework: 'prisma', transaction: 'implicit-multi', finding: 'error' },
  { fixture: 'golang-migrate-single-statement', framework: 'golang-migrate', transaction: 'no', finding: undefined },
  { fixture: 'golang-migrate-multi-statement', framework: 'golang-migrate', transaction: 'implicit-multi', finding: 'error' },
  { fixture: 'flyway-non-transactional', framework: 'flyway', transaction: 'no', finding: undefined },
  { fixture: 'flyway-mixed', framework: 'flyway', transaction: 'yes', finding: 'error' },
  { fixture: 'dbmate-no-transaction', framework: 'dbmate', transaction: 'no', finding: undefined },
  { fixture: 'dbmate-transaction', framework: 'dbmate', transaction: 'yes', finding: 'error' },
  { fixture: 'node-pg-migrate-no-transaction', framework: 'node-pg-migrate', transaction: 'no', finding: undefined },
  { fixture: 'node-pg-migrate-transaction', framework: 'node-pg-migrate', transaction: 'yes', finding: 'error' },
  { fixture: 'knex-no-transaction', framework: 'knex', transaction: 'no', finding: undefined },
  { fixture: 'knex-transaction', framework: 'knex', transaction: 'yes', finding: 'error' },
  { fixture: 'graphile-migrate-no-transaction', framework: 'graphile-migrate', transaction: 'no', finding: undefined },
  { fixture: 'graphile-migrate-transaction', framework: 'graphile-migrate', transaction: 'yes', finding: 'error' },
  { fixture: 'sequelize-no-transaction', framework: 'sequelize', transaction: 'no', finding: undefined },
  { fixture: 'supabase', framework: 'supabase', transaction: 'no', finding: undefined },
  { fixture: 'drizzle', framework: 'drizzle', transaction: 'yes', finding: 'error' },
  { fixture: 'diesel-no-transaction', framework: 'diesel', transaction: 'no', finding: undefined },
  { fixture: 'migration-object-no-transaction', framework: 'migration object', transaction: 'no', finding: undefined },
  { fixture: 'migration-object-unflagged', framework: 'migrations folder', transaction: 'unknown', finding: 'info' },
  { fixture: 'plain-folder', framework: 'migrations folder', transaction: 'unknown', finding: 'info' },
];

function filesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesOf(full) : [full];
  });
}

test('every fixture folder has an expectation', () => {
  assert.deepEqual(
    fs.readdirSync(FIXTURES).sort(),
    EXPECTED.map((e) => e.fixture).sort(),
  );
});

for (const expected of EXPECTED) {
  test(`${expected.fixture}: ${expected.framework}, transaction ${expected.transaction}, concurrently-in-transaction ${expected.finding ?? 'quiet'}`, async () => {
    const root = path.join(FIXTURES, expected.fixture);
    const [file] = filesOf(root);
    const text = fs.readFileSync(file, 'utf8');
    const context = migrationContextFor(file, text, { root });
    assert.equal(context.isMigration, true);
    assert.equal(context.framework, expected.framework);
    assert.equal(context.transaction, expected.transaction, context.transactionReason);
    assert.equal(context.inTransaction, expected.transaction === 'yes' || expected.transaction === 'implicit-multi');

    const engine = new Engine({ config: defaultConfig(root), migrationContextFor: (f, t) => migrationContextFor(f, t, { root }) });
    const analysis = await engine.analyzeFile(file, text);
    assert.ok(analysis.statements.some((s) => /concurrently/i.test(s.statement.text)), 'the CREATE INDEX CONCURRENTLY was found and parsed');
    const findings = analysis.findings.filter((f) => f.ruleId === 'concurrently-in-transaction');
    assert.deepEqual(findings.map((f) => f.severity), expected.finding ? [expected.finding] : []);
    if (expected.finding === 'info') {
      assert.match(findings[0].message, /migrationsInTransaction/);
      assert.match(findings[0].message, /assumes this migration runs without one/);
    }
    if (expected.finding === 'error') assert.ok(findings[0].message.includes(context.transactionReason!), findings[0].message);
  });
}

test('the config settles an unknown runner: migrationsInTransaction true makes the plain folder an error', async () => {
  const root = path.join(FIXTURES, 'plain-folder');
  const [file] = filesOf(root);
  const text = fs.readFileSync(file, 'utf8');
  const engine = new Engine({ config: defaultConfig(root), migrationContextFor: (f, t) => migrationContextFor(f, t, { root, transactional: true }) });
  const findings = (await engine.analyzeFile(file, text)).findings.filter((f) => f.ruleId === 'concurrently-in-transaction');
  assert.deepEqual(findings.map((f) => f.severity), ['error']);
  assert.match(findings[0].message, /migrationsInTransaction: true in pglens\.json/);
});

test('a configured severity below info is kept: the rule never raises it', async () => {
  const root = path.join(FIXTURES, 'plain-folder');
  const [file] = filesOf(root);
  const config = defaultConfig(root);
  config.rules['concurrently-in-transaction'] = { severity: 'hint' };
  const engine = new Engine({ config, migrationContextFor: (f, t) => migrationContextFor(f, t, { root }) });
  const findings = (await engine.analyzeFile(file, fs.readFileSync(file, 'utf8'))).findings.filter((f) => f.ruleId === 'concurrently-in-transaction');
  assert.deepEqual(findings.map((f) => f.severity), ['hint']);
});

test('the migration-object flag is configurable', () => {
  const text = "export default { name: 'x', runOutsideTransaction: true, run: ({ sql }) => sql`CREATE INDEX CONCURRENTLY i ON t (a)` };";
  const file = '/r/migrations/2024.01.01.x.ts';
  assert.equal(migrationContextFor(file, text).transaction, 'unknown');
  const configured = migrationContextFor(file, text, { noTransactionProperty: 'runOutsideTransaction' });
  assert.deepEqual([configured.transaction, configured.transactionReason], ['no', 'the migration object says runOutsideTransaction: true']);
});

test('with migrations globs only matching files are migrations; the layout their path shows still sets the model', () => {
  const config = { root: '/r', migrations: ['db/changes/**/*.sql'] };
  assert.equal(migrationContextFor('/r/tools/create-db.sql', 'CREATE DATABASE x;', config).isMigration, false);
  assert.equal(migrationContextFor('/r/migrations/001.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);', config).isMigration, false);
  assert.equal(migrationContextFor('/r/prisma/migrations/1_x/migration.sql', 'CREATE INDEX i ON t (a);', config).isMigration, false);
  const matched = migrationContextFor('/r/db/changes/001.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);', config);
  assert.deepEqual([matched.isMigration, matched.framework, matched.transaction], [true, 'config', 'unknown']);
  const dbmate = migrationContextFor('/r/db/changes/002.sql', '-- migrate:up\nCREATE INDEX CONCURRENTLY i ON t (a);', config);
  assert.deepEqual([dbmate.framework, dbmate.transaction], ['dbmate', 'yes']);
  const prismaGlob = { root: '/r', migrations: ['prisma/migrations/**/migration.sql'] };
  const prisma = migrationContextFor('/r/prisma/migrations/1_x/migration.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);', prismaGlob);
  assert.deepEqual([prisma.framework, prisma.transaction], ['prisma', 'no']);
});

test('the layout of each folder is logged once per run (the CLI prints it with --verbose)', () => {
  const lines: string[] = [];
  const resolve = migrationContextResolver({ root: '/r' }, (line) => lines.push(line));
  resolve('/r/prisma/migrations/1_a/migration.sql', 'CREATE INDEX i ON t (a);');
  resolve('/r/prisma/migrations/2_b/migration.sql', 'CREATE INDEX j ON t (b);');
  resolve('/r/migrations/001.sql', 'select 1;');
  resolve('/r/migrations/002.sql', 'select 2;');
  resolve('/r/src/queries.sql', 'select 3;');
  assert.deepEqual(lines, [
    'prisma/migrations: Prisma migrations: each file is sent as one query (several statements run in one implicit transaction, a single statement alone)',
    'migrations: a migrations folder; runner unknown: "migrationsInTransaction" in pglens.json says whether they run in a transaction',
  ]);
});

// Diesel (lemmy's 344 migrations): each migration runs in a transaction unless its metadata.toml turns that off, which
// one holding CONCURRENTLY must do (fixture above); one without is in a transaction, so CONCURRENTLY alone is no fix.
test('a Diesel migration without CONCURRENTLY runs in a transaction', () => {
  const file = path.join('/repo', 'migrations', '2021-01-05-200932_add_hot_rank_indexes', 'up.sql');
  const context = migrationContextFor(file, 'CREATE INDEX idx_post_hot ON post (hot_rank DESC);\n', { root: '/repo' });
  assert.equal(context.framework, 'diesel');
  assert.equal(context.transaction, 'yes', context.transactionReason);
  assert.match(context.transactionReason ?? '', /run_in_transaction = false/);
});

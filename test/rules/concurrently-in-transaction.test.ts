import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concurrentlyInTransaction as rule } from '../../server/src/engine/rules/locking/concurrently-in-transaction';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule } from './lockRuleTestUtils';

test('CREATE INDEX CONCURRENTLY in a transactional migration fails: anchored on CONCURRENTLY', async () => {
  const [finding] = await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (a);', { migration: MIGRATION });
  assert.equal(finding.anchor, 'CONCURRENTLY');
  assert.match(finding.message, /cannot run inside a transaction block/);
  assert.match(finding.headline, /, and this migration runs in one$/);
  assert.match(finding.message, /will fail with "cannot run inside a transaction block"/);
});

test('after an explicit BEGIN in the file, even outside a migration', async () => {
  const runs = await runLockRule(rule, 'BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;\nREINDEX INDEX CONCURRENTLY j;');
  assert.equal(runs.length, 1);
  assert.equal(runs[0].anchor, 'CONCURRENTLY');
  assert.match(runs[0].message, /explicit BEGIN/);
});

test('VACUUM in a transactional migration is anchored on VACUUM', async () => {
  const [finding] = await runLockRule(rule, 'vacuum analyze orders;', { migration: MIGRATION });
  assert.equal(finding.anchor, 'vacuum');
  assert.match(finding.message, /^VACUUM cannot run inside a transaction block/);
});

test('quiet in a no-transaction migration, in plain SQL files, and for statements that may run in a transaction', async () => {
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (a);', { migration: MIGRATION_NO_TRANSACTION }), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (a);'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX i ON orders (a); ANALYZE orders;', { migration: MIGRATION }), []);
});

test('a BEGIN sent from application code does not make later SQL of the file transactional', async () => {
  await loadParser();
  const site = (text: string) => ({ file: 'repo.ts', origin: 'call-argument' as const, text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length });
  const begin = parseSite(site('BEGIN')).statements[0];
  const [statement] = parseSite(site('CREATE INDEX CONCURRENTLY i ON orders (a)')).statements;
  const reports: unknown[] = [];
  rule.check({ statement, previousStatements: [begin], options: {}, report: (r) => reports.push(r) });
  assert.deepEqual(reports, []);
});

test('an unknown runner gets an info naming the assumption and the config key, never an error', async () => {
  const [finding, ...rest] = await runLockRule(rule, "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);", {
    migration: { isMigration: true, inTransaction: false, transaction: 'unknown', transactionReason: 'pglens does not know the tool' },
  });
  assert.equal(rest.length, 0);
  assert.equal(finding.report.severity, 'info');
  assert.equal(finding.anchor, 'CONCURRENTLY');
  assert.match(finding.headline, /; pglens assumes this migration runs without one$/);
  assert.match(finding.message, /"migrationsInTransaction": true/);
});

test('a multi-statement script (Prisma, golang-migrate) is an implicit transaction block: an error that says to split the file', async () => {
  const [finding] = await runLockRule(rule, "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY i ON orders (a);", {
    migration: { isMigration: true, inTransaction: true, transaction: 'implicit-multi', transactionReason: 'Prisma sends the file as one query' },
  });
  assert.equal(finding.report.severity, undefined);
  assert.match(finding.message, /Prisma sends the file as one query/);
  assert.match(finding.message, /alone in a migration of its own/);
});

test('an explicit BEGIN is an error whatever the runner', async () => {
  const runs = await runLockRule(rule, 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON orders (a);\nCOMMIT;', {
    migration: { isMigration: true, inTransaction: false, transaction: 'unknown' },
  });
  assert.equal(runs.length, 1);
  assert.equal(runs[0].report.severity, undefined);
  assert.match(runs[0].message, /explicit BEGIN/);
});

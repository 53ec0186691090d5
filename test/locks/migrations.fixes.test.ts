// Every migration pglens writes passes pglens's own rules for the layout it is written in: the "Add index" migration
// (advise/migration.ts) and the CONCURRENTLY fix of require-concurrent-index-creation are applied to a workspace of
// that layout and the written file is checked again by the engine, which must find nothing at warning or error.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectMigrationTarget, MigrationRefused, writeIndexMigration, type MigrationIndex } from '../../server/src/engine/advise/migration';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { migrationContextFor } from '../../server/src/engine/locks/migrations';
import { loadParser } from '../../server/src/engine/parse/parse';
import type { Finding } from '../../server/src/engine/types';
import { applyEdits } from '../rules/lockRuleTestUtils';

before(() => loadParser());

const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const EMAIL: MigrationIndex = { name: 'orders_email_idx', definition: 'ON orders (email)' };
const STATUS: MigrationIndex = { name: 'orders_status_idx', definition: 'ON orders (status)' };

function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-fixes-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

async function check(root: string, file: string): Promise<{ findings: Finding[]; statements: string[] }> {
  const engine = new Engine({ config: defaultConfig(root), migrationContextFor: (f, t) => migrationContextFor(f, t, { root }) });
  const analysis = await engine.analyzeFile(file, fs.readFileSync(file, 'utf8'));
  return { findings: analysis.findings, statements: analysis.statements.map((s) => s.statement.text) };
}

function serious(findings: Finding[]): string[] {
  return findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => `${f.ruleId}: ${f.message}`);
}

const LAYOUTS: { layout: string; files: Record<string, string>; expectedLayout: string }[] = [
  { layout: 'Prisma', files: { 'prisma/schema.prisma': '', 'prisma/migrations/20250101000000_init/migration.sql': 'CREATE TABLE orders (id int, email text, status text);\n' }, expectedLayout: 'prisma' },
  { layout: 'plain SQL', files: { 'migrations/001_init.sql': 'CREATE TABLE orders (id int, email text, status text);\n' }, expectedLayout: 'plain-sql' },
  { layout: 'dbmate', files: { 'db/migrations/20250101000000_init.sql': '-- migrate:up\nCREATE TABLE orders (id int, email text, status text);\n\n-- migrate:down\nDROP TABLE orders;\n' }, expectedLayout: 'dbmate' },
  { layout: 'golang-migrate', files: { 'migrations/000001_init.up.sql': 'CREATE TABLE orders (id int, email text, status text);\n', 'migrations/000001_init.down.sql': 'DROP TABLE orders;\n' }, expectedLayout: 'plain-sql' },
  { layout: 'knex', files: { 'knexfile.js': "module.exports = { migrations: { directory: './db/migrations' } };", 'db/migrations/20250101000000_init.js': "exports.up = (knex) => knex.raw('CREATE TABLE orders (id int, email text, status text)');\n" }, expectedLayout: 'knex' },
];

describe('the "Add index" migration passes pglens in its layout', () => {
  for (const { layout, files, expectedLayout } of LAYOUTS) {
    test(layout, async () => {
      const root = workspace(files);
      const target = detectMigrationTarget(root);
      assert.equal(target.layout, expectedLayout);
      const written = writeIndexMigration(target, { indexes: [EMAIL], comment: ['Suggested by pglens for src/orders.ts:3.'], now: NOW });
      assert.equal(written.reused, undefined);
      fs.mkdirSync(path.dirname(written.path), { recursive: true });
      fs.writeFileSync(written.path, written.content);
      const { findings, statements } = await check(root, written.path);
      assert.ok(statements.some((sql) => /CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_email_idx/.test(sql)), `the index is in ${written.path}`);
      assert.deepEqual(serious(findings), []);
      assert.ok(migrationContextFor(written.path, written.content, { root }).isMigration, 'the written file is a migration of the layout');

      // The same index again: the file just written is reused, no second migration.
      const again = writeIndexMigration(detectMigrationTarget(root), { indexes: [EMAIL], comment: ['Suggested by pglens for src/orders.ts:9.'], now: new Date(NOW.getTime() + 60_000) });
      assert.deepEqual([again.reused, again.path], [true, written.path]);
    });
  }

  test('knex with two statements: one knex.raw each, still clean', async () => {
    const root = workspace(LAYOUTS[4].files);
    const written = writeIndexMigration(detectMigrationTarget(root), { indexes: [EMAIL, STATUS], comment: ['two indexes'], now: NOW });
    assert.equal((written.content.match(/await knex\.raw\(/g) ?? []).length, 4);
    fs.writeFileSync(written.path, written.content);
    assert.deepEqual(serious((await check(root, written.path)).findings), []);
  });

  test('dbmate with one index runs without a transaction and stays clean', async () => {
    const root = workspace(LAYOUTS[2].files);
    const written = writeIndexMigration(detectMigrationTarget(root), { indexes: [EMAIL], comment: ['one index'], now: NOW });
    assert.match(written.content, /^-- migrate:up transaction:false\n/);
    assert.match(written.content, /\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS orders_email_idx;/);
    fs.writeFileSync(written.path, written.content);
    assert.deepEqual(serious((await check(root, written.path)).findings), []);
  });

  test('Prisma, golang-migrate and dbmate send a file (dbmate: its up section) as one query: two statements are refused with the reason, never written', () => {
    for (const files of [LAYOUTS[0].files, LAYOUTS[3].files, LAYOUTS[2].files]) {
      const root = workspace(files);
      assert.throws(
        () => writeIndexMigration(detectMigrationTarget(root), { indexes: [EMAIL], comment: ['trigram'], now: NOW, preamble: ['CREATE EXTENSION IF NOT EXISTS pg_trgm;'] }),
        (error: Error) => error instanceof MigrationRefused && /sends a migration file as one query/.test(error.message) && /transaction block/.test(error.message),
      );
    }
  });
});

describe('the CONCURRENTLY fix of require-concurrent-index-creation passes pglens in its layout', () => {
  const cases: { layout: string; file: string; text: string; edits: boolean }[] = [
    { layout: 'Prisma, one statement', file: 'prisma/migrations/20250102000000_idx/migration.sql', text: 'CREATE INDEX "orders_email_idx" ON "orders"("email");\n', edits: true },
    { layout: 'Prisma, two statements (one query: only the SQL is offered)', file: 'prisma/migrations/20250102000000_idx/migration.sql', text: 'ALTER TABLE "orders" ADD COLUMN "note" TEXT;\nCREATE INDEX "orders_email_idx" ON "orders"("email");\n', edits: false },
    { layout: 'plain folder', file: 'migrations/002_idx.sql', text: "SET lock_timeout = '5s';\nCREATE INDEX orders_email_idx ON orders (email);\n", edits: true },
    { layout: 'golang-migrate, one statement', file: 'migrations/000002_idx.up.sql', text: 'CREATE INDEX orders_email_idx ON orders (email);\n', edits: true },
    { layout: 'dbmate in a transaction (only the SQL is offered)', file: 'db/migrations/20250102000000_idx.sql', text: '-- migrate:up\nCREATE INDEX orders_email_idx ON orders (email);\n', edits: false },
    { layout: 'dbmate without a transaction', file: 'db/migrations/20250102000000_idx.sql', text: '-- migrate:up transaction:false\nCREATE INDEX orders_email_idx ON orders (email);\n', edits: true },
    { layout: 'knex without a transaction', file: 'db/migrations/20250102000000_idx.js', text: "exports.config = { transaction: false };\nexports.up = (knex) => knex.raw('CREATE INDEX orders_email_idx ON orders (email)');\n", edits: true },
  ];
  for (const { layout, file, text, edits } of cases) {
    test(layout, async () => {
      const root = workspace({ [file]: text });
      const full = path.join(root, file);
      const before = await check(root, full);
      const finding = before.findings.find((f) => f.ruleId === 'require-concurrent-index-creation');
      assert.ok(finding, 'CREATE INDEX without CONCURRENTLY is reported');
      const [fix] = finding.fixes ?? [];
      assert.match(fix.sql ?? '', /CREATE INDEX CONCURRENTLY/);
      assert.equal((fix.edits ?? []).length > 0, edits, fix.title);
      if (!edits) return;
      fs.writeFileSync(full, applyEdits(text, fix.edits));
      const after = await check(root, full);
      assert.ok(after.statements.some((sql) => /CREATE INDEX CONCURRENTLY/.test(sql)));
      assert.deepEqual(serious(after.findings), []);
    });
  }
});

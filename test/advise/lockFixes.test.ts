// Every quick fix of a lock rule, finished: the file with the fix's edits parses with libpg-query, runs on PostgreSQL
// (with the migration the fix writes after it) inside a transaction that is rolled back, and pglens checking the edited
// file again no longer reports what the fix fixed. Migrations in the layouts whose tools run them in a transaction
// (dbmate, Prisma with several statements), outside one (a plain numbered folder), and a .sql file that is no migration.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { loadParser } from '../../server/src/engine/parse/parse';
import { migrationContextFor } from '../../server/src/engine/locks/migrations';
import type { Finding, SuggestedFix } from '../../server/src/engine/types';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { applyEdits, statementsOf, withoutConcurrently } from './emittedSqlUtils';

const SCHEMA = `
create table accounts (id bigint primary key, name text not null);
insert into accounts select g, 'a' || g from generate_series(1, 2000) g;
create table orders (id bigint primary key, account_id bigint not null, total int not null, note text);
insert into orders select g, 1 + g % 2000, g % 100, 'n' || g from generate_series(1, 20000) g;
create index orders_note_lower_idx on orders (lower(note));
create materialized view order_totals as select account_id, sum(total) as total from orders group by account_id;
create unique index on order_totals (account_id);
create table events (id bigint not null, at date not null) partition by range (at);
create table events_2024 partition of events for values from ('2024-01-01') to ('2025-01-01');
analyze accounts;
analyze orders;
`;

/** Migration files and plain .sql files (relative to the workspace), each with lock findings whose fixes edit or write. */
const FILES: Record<string, string> = {
  // dbmate runs the up section in a transaction.
  'db/migrations/20250101000000_orders.sql': [
    '-- migrate:up',
    'ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id);',
    'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;',
    'ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid() NOT NULL;',
    '',
    '-- migrate:down',
    '',
  ].join('\n'),
  // Prisma sends a file of several statements as one query: one implicit transaction.
  'prisma/migrations/20250101000000_checks/migration.sql': [
    'ALTER TABLE "orders" ADD CONSTRAINT "orders_total_positive" CHECK ("total" >= 0);',
    'ALTER TABLE "orders" ADD COLUMN "flag" double precision DEFAULT random();',
  ].join('\n'),
  // A plain numbered folder: the runner is unknown, so not in a transaction for certain.
  'migrations/0002_orders.sql': ['ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);', 'CREATE INDEX orders_total_idx ON orders (total);'].join('\n'),
  // Not a migration: psql runs each statement in a transaction of its own.
  'scripts/maintenance.sql': ['alter table orders add check (total < 1000);', 'create index orders_note_idx on orders (note);', 'alter table orders alter column note set not null;'].join('\n'),
  'scripts/more.sql': ['drop index orders_note_lower_idx;', 'reindex index orders_pkey;', 'refresh materialized view order_totals;', 'alter table events detach partition events_2024;', 'alter table orders add constraint orders_id_total_key unique (id, total);'].join('\n'),
};

const EXPECTED_FIXES = [
  'constraint-missing-not-valid at db/migrations/20250101000000_orders.sql',
  'setting-not-null at db/migrations/20250101000000_orders.sql',
  'adding-column-with-volatile-default at db/migrations/20250101000000_orders.sql',
  'missing-lock-timeout at db/migrations/20250101000000_orders.sql',
  'constraint-missing-not-valid at prisma/migrations/20250101000000_checks/migration.sql',
  'adding-column-with-volatile-default at prisma/migrations/20250101000000_checks/migration.sql',
  'missing-lock-timeout at prisma/migrations/20250101000000_checks/migration.sql',
  'constraint-missing-not-valid at migrations/0002_orders.sql',
  'require-concurrent-index-creation at migrations/0002_orders.sql',
  'constraint-missing-not-valid at scripts/maintenance.sql',
  'require-concurrent-index-creation at scripts/maintenance.sql',
  'setting-not-null at scripts/maintenance.sql',
  'require-concurrent-index-deletion at scripts/more.sql',
  'reindex-without-concurrently at scripts/more.sql',
  'refresh-materialized-view-without-concurrently at scripts/more.sql',
  'detach-partition-without-concurrently at scripts/more.sql',
  'adding-unique-without-index at scripts/more.sql',
];

interface AppliedFix {
  where: string;
  finding: Finding;
  fix: SuggestedFix;
  edited: string;
}

describe('lock rule fixes: applied, they parse, run on PostgreSQL and leave no finding of their rule', () => {
  let scratch: TestFileDatabase;
  let database: DatabaseClient;
  let engine: Engine;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-lock-fixes-'));
  const applied: AppliedFix[] = [];
  const before_: Map<string, Finding[]> = new Map();

  before(async () => {
    await loadParser();
    scratch = await openTestFileDatabase('pglens_lock_fixes');
    await scratch.client.query(SCHEMA);
    database = await connectPostgres(scratch.url);
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    fs.mkdirSync(path.join(root, 'prisma'), { recursive: true });
    fs.writeFileSync(path.join(root, 'prisma', 'schema.prisma'), '');
    fs.mkdirSync(path.join(root, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(root, 'migrations', '0001_init.sql'), 'select 1;\n');
    for (const [file, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    engine = new Engine({ config: defaultConfig(root), database, migrationContextFor: (file, text) => migrationContextFor(file, text, { root }) });
    for (const [file, text] of Object.entries(FILES)) {
      const findings = (await engine.analyzeFile(path.join(root, file), text)).findings.filter((f) => f.category === 'locking');
      before_.set(file, findings);
      for (const finding of findings) {
        const fix = finding.fixes?.find((f) => (f.edits?.length ?? 0) > 0 || f.newFile);
        if (fix) applied.push({ where: `${finding.ruleId} at ${file}`, finding, fix, edited: applyEdits(text, (fix.edits ?? []).filter((e) => e.file === finding.file)) });
      }
    }
  });

  after(async () => {
    await database?.close();
    await scratch?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the lock rules with a mechanical rewrite offer it as an edit (or a new migration) here', () => {
    assert.deepEqual(applied.map((a) => a.where).sort(), [...EXPECTED_FIXES].sort());
  });

  test('Add NOT VALID in a migration writes the VALIDATE migration beside it, in its layout; in a plain .sql file it appends the VALIDATE', () => {
    const dbmate = applied.find((a) => a.where === 'constraint-missing-not-valid at db/migrations/20250101000000_orders.sql')!;
    assert.match(dbmate.fix.newFile!.content, /^-- migrate:up\n(-- .*\n)*ALTER TABLE orders VALIDATE CONSTRAINT orders_account_id_fkey;\n\n-- migrate:down\n$/);
    assert.match(dbmate.edited, /ADD CONSTRAINT orders_account_id_fkey FOREIGN KEY \(account_id\) REFERENCES accounts \(id\) NOT VALID;/);
    const prisma = applied.find((a) => a.where === 'constraint-missing-not-valid at prisma/migrations/20250101000000_checks/migration.sql')!;
    assert.match(path.relative(root, prisma.fix.newFile!.path), /^prisma\/migrations\/\d{14}_validate_orders_total_positive\/migration\.sql$/);
    const numbered = applied.find((a) => a.where === 'constraint-missing-not-valid at migrations/0002_orders.sql')!;
    assert.equal(path.relative(root, numbered.fix.newFile!.path), 'migrations/0003_validate_orders_account_fk.sql');
    const plain = applied.find((a) => a.where === 'constraint-missing-not-valid at scripts/maintenance.sql')!;
    assert.equal(plain.fix.newFile, undefined);
    assert.match(plain.edited, /^alter table orders add CONSTRAINT orders_total_check check \(total < 1000\) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\n/);
  });

  test('each edited file, with the migration its fix writes, parses and runs in a rolled-back transaction', async () => {
    const failures: string[] = [];
    for (const { where, fix, edited } of applied) {
      const written = fix.newFile ? (fix.newFile.path.endsWith('.sql') ? fix.newFile.content : ((fix.newFile as { statements?: string[] }).statements ?? []).join('\n')) : '';
      let statements: string[];
      try {
        statements = [...statementsOf(edited), ...statementsOf(written)].map((s) => withoutConcurrently(s.text));
      } catch (error) {
        failures.push(`${where}: does not parse (${(error as Error).message})\n${edited}\n${written}`);
        continue;
      }
      await scratch.client.query('BEGIN');
      try {
        for (const sql of statements) await scratch.client.query(sql);
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message}\n${edited}\n---\n${written}`);
      } finally {
        await scratch.client.query('ROLLBACK');
      }
    }
    assert.deepEqual(failures, []);
  });

  test('pglens checks the edited file again: one finding of the rule fewer; the migration it wrote has no lock finding at all', async () => {
    const left: string[] = [];
    for (const { where, finding, fix, edited } of applied) {
      const file = path.relative(root, finding.file);
      const count = (findings: Finding[]) => findings.filter((f) => f.ruleId === finding.ruleId).length;
      const again = (await engine.analyzeFile(finding.file, edited)).findings;
      if (count(again) >= count(before_.get(file)!)) left.push(`${where}: still ${count(again)} after the fix\n${edited}`);
      if (fix.newFile?.path.endsWith('.sql')) {
        const next = (await engine.analyzeFile(fix.newFile.path, fix.newFile.content)).findings.filter((f) => f.category === 'locking');
        if (next.length > 0) left.push(`${where}: the written migration has ${next.map((f) => f.headline ?? f.message).join('; ')}`);
      }
    }
    assert.deepEqual(left, []);
  });
});

// `pglens locks` reads the workspace like `pglens check` (pglens.json: migrations, baseline, rule severities), takes
// files, folders and quoted globs, says what it cannot parse, exits 1 on an error-level finding, and gives the same
// verdicts as `check` for the same files and config. The real bundled CLI, run as a child process.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const workspaces: { remove(): void }[] = [];
after(() => workspaces.forEach((w) => w.remove()));
function workspace(files: Record<string, string>): string {
  const created = scratchWorkspace(files);
  workspaces.push(created);
  return created.dir;
}

interface LocksJsonEntry {
  file: string;
  line?: number;
  statement?: string;
  parseError?: string;
  notJudged?: string;
  locks?: Array<{ table: string; mode: string; kind: string; reason: string; referenced: boolean }>;
  findings?: Array<{ ruleId: string; severity: string; message: string }>;
}

function parseLocks(stdout: string): LocksJsonEntry[] {
  return JSON.parse(stdout) as LocksJsonEntry[];
}

const CONFIG = JSON.stringify({
  migrations: { paths: ['db/migrations/*.sql'], baseline: '002' },
  migrationsInTransaction: true,
  rules: { 'require-concurrent-index-creation': 'error' },
});

/** A folder of migrations: 001 and 002 are history (baseline "002"), 003 and 004 are new. */
const MIGRATIONS = workspace({
  'pglens.json': CONFIG,
  'db/migrations/001_orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, note text);\nCREATE INDEX orders_note ON orders (note);\n',
  'db/migrations/002_customers.sql': 'CREATE TABLE customers (id bigint PRIMARY KEY);\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n',
  'db/migrations/003_index.sql': 'CREATE INDEX orders_customer ON orders (customer_id);\n',
  'db/migrations/004_fk.sql': [
    'SET lock_timeout = \'2s\';',
    'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk2 FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;',
    'DROP INDEX orders_note;',
    '',
  ].join('\n'),
});

describe('pglens locks', () => {
  test('a folder: history is named as not judged, new migrations get the configured severities, exit 1 on an error', async () => {
    const result = await runCli(['locks', 'db/migrations', '--format', 'json'], { cwd: MIGRATIONS });
    assert.equal(result.code, 1, result.stderr);
    const entries = parseLocks(result.stdout);
    const history = entries.filter((e) => e.notJudged !== undefined);
    assert.deepEqual(
      history.map((e) => [e.file, e.notJudged]),
      [
        ['db/migrations/001_orders.sql', 'historical migration: at or before migrations.baseline "002"'],
        ['db/migrations/002_customers.sql', 'historical migration: at or before migrations.baseline "002"'],
      ],
    );
    const index = entries.find((e) => e.file === 'db/migrations/003_index.sql')!;
    assert.deepEqual(
      index.findings!.map((f) => [f.ruleId, f.severity]),
      [['require-concurrent-index-creation', 'error']],
      'pglens.json raises the rule to error, as check would',
    );
    // The foreign key locks the referenced table too: the JSON says which lock is on a referenced table.
    const fk = entries.find((e) => e.file === 'db/migrations/004_fk.sql' && /FOREIGN KEY/.test(e.statement ?? ''))!;
    assert.deepEqual(
      fk.locks!.map((l) => [l.table, l.mode, l.referenced]),
      [
        ['orders', 'ShareRowExclusiveLock', false],
        ['customers', 'ShareRowExclusiveLock', true],
      ],
    );
    // DROP INDEX: ACCESS EXCLUSIVE on the table too; without a database its table comes from the migration that
    // created the index (001, history, still made the schema).
    const drop = entries.find((e) => /DROP INDEX/.test(e.statement ?? ''))!;
    assert.deepEqual(
      drop.locks!.map((l) => [l.table, l.mode, l.kind]),
      [
        ['orders', 'AccessExclusiveLock', 'table'],
        ['orders_note', 'AccessExclusiveLock', 'index'],
      ],
    );
  });

  test('DROP INDEX of an index no migration creates says that its table is locked too', async () => {
    const dir = workspace({ 'migrations/001.sql': 'DROP INDEX legacy_idx;\n' });
    const entries = parseLocks((await runCli(['locks', 'migrations', '--format', 'json'], { cwd: dir })).stdout) as Array<LocksJsonEntry & { notes: string[] }>;
    assert.deepEqual(entries[0].locks!.map((l) => [l.table, l.kind]), [['legacy_idx', 'index']]);
    assert.ok(entries[0].notes.some((n) => n.startsWith('DROP INDEX takes ACCESS EXCLUSIVE on the table of legacy_idx too')), JSON.stringify(entries[0].notes));
  });

  test('locks and check give the same verdicts for the same files and config', async () => {
    const locks = await runCli(['locks', 'db/migrations', '--format', 'json'], { cwd: MIGRATIONS });
    const check = await runCli(['check', 'db/migrations', '--format', 'json', '--no-embedded'], { cwd: MIGRATIONS });
    const fromLocks = parseLocks(locks.stdout)
      .flatMap((e) => (e.findings ?? []).map((f) => `${e.file} ${f.ruleId} ${f.severity}`))
      .sort();
    const report = parseJsonReport(check);
    const fromCheck = report.findings.map((f) => `${f.file} ${f.ruleId} ${f.severity}`).sort();
    assert.ok(fromCheck.length >= 2, check.stdout);
    assert.deepEqual(fromLocks, fromCheck);
    assert.equal(locks.code, check.code, 'the same exit code: 1 for an error-level finding');
  });

  test('a quoted glob is expanded; one that matches nothing is one line and exit 2', async () => {
    const result = await runCli(['locks', 'db/migrations/00[34]_*.sql'], { cwd: MIGRATIONS });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^db\/migrations\/003_index\.sql {2}\(/m);
    assert.match(result.stdout, /^db\/migrations\/004_fk\.sql {2}\(/m);
    assert.doesNotMatch(result.stdout, /001_orders/);

    const none = await runCli(['locks', 'db/nothing/*.sql'], { cwd: MIGRATIONS });
    assert.equal(none.code, 2);
    assert.deepEqual(stderrLines(none), ['pglens locks: no file matches db/nothing/*.sql']);
  });

  test('a statement that does not parse is reported with the parser\'s message, and fails the run', async () => {
    const dir = workspace({ 'migrations/001_bad.sql': 'ALTER TABLE orders ADD COLUMN;\nCREATE TABLE t (id int);\n' });
    const text = await runCli(['locks', 'migrations'], { cwd: dir });
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /^ {2}1 {2}ALTER TABLE orders ADD COLUMN\n {5}cannot parse: syntax error at end of input\n/m);
    const json = parseLocks((await runCli(['locks', 'migrations', '--format', 'json'], { cwd: dir })).stdout);
    assert.ok(json.some((e) => e.line === 1 && e.parseError === 'syntax error at end of input'), JSON.stringify(json));
  });

  test('a clean migration exits 0; --format sarif gives the findings as SARIF results', async () => {
    const dir = workspace({ 'migrations/001_ok.sql': "SET lock_timeout = '2s';\nCREATE TABLE t (id int);\n" });
    const clean = await runCli(['locks', 'migrations/001_ok.sql'], { cwd: dir });
    assert.equal(clean.code, 0, clean.stderr);

    const sarif = await runCli(['locks', 'db/migrations/003_index.sql', '--format', 'sarif'], { cwd: MIGRATIONS });
    assert.equal(sarif.code, 1, sarif.stderr);
    const log = JSON.parse(sarif.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string; level: string }> }> };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(
      log.runs[0].results.map((r) => [r.ruleId, r.level]),
      [['require-concurrent-index-creation', 'error']],
    );
  });

  test('migrations.noTransactionProperty names the flag of TS migration objects that run without a transaction', async () => {
    const migration = [
      'export default {',
      "  name: '2024.01.01.index',",
      '  skipTransaction: true,',
      '  run: ({ sql }) => sql`CREATE INDEX CONCURRENTLY orders_status ON orders (status)`,',
      '};',
      '',
    ].join('\n');
    const unknown = workspace({ 'pglens.json': JSON.stringify({ migrations: { paths: ['migrations/*.ts'] } }), 'migrations/2024.01.01.index.ts': migration });
    const before = parseLocks((await runCli(['locks', 'migrations', '--format', 'json'], { cwd: unknown })).stdout);
    assert.deepEqual(before[0].findings!.map((f) => [f.ruleId, f.severity]), [['concurrently-in-transaction', 'info']]);

    const named = workspace({
      'pglens.json': JSON.stringify({ migrations: { paths: ['migrations/*.ts'], noTransactionProperty: 'skipTransaction' } }),
      'migrations/2024.01.01.index.ts': migration,
    });
    const after = parseLocks((await runCli(['locks', 'migrations', '--format', 'json'], { cwd: named })).stdout);
    assert.deepEqual(after[0].findings, []);
    assert.match((after[0] as { migration?: string }).migration ?? '', /runs without a transaction/);
  });

  test('an invalid pglens.json is one line and exit 2, as for check', async () => {
    const dir = workspace({ 'pglens.json': '{ "migrations": { "baseline": 5 } }', 'migrations/001.sql': 'SELECT 1;\n' });
    const result = await runCli(['locks', 'migrations'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.equal(stderrLines(result).length, 1);
    assert.match(result.stderr, /^pglens: invalid config: .*pglens\.json:\d+: migrations\.baseline: must be a string, got 5/);
  });
});

describe('down code is not judged unless migrations.checkDown', () => {
  const files = {
    'db/migrations/20240101_add_index.sql': [
      '-- migrate:up transaction:false',
      'CREATE INDEX CONCURRENTLY orders_note ON orders (note);',
      '',
      '-- migrate:down',
      'DROP INDEX orders_note;',
      '',
    ].join('\n'),
    'db/migrations/000002_drop.down.sql': 'DROP TABLE orders;\n',
    'db/migrations/20240102_knex.js': [
      'exports.up = (knex) => knex.raw("CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id)");',
      'exports.down = (knex) => knex.raw("DROP INDEX orders_customer");',
      'exports.config = { transaction: false };',
      '',
    ].join('\n'),
  };

  test('dbmate -- migrate:down sections, .down.sql files and exports.down are left out', async () => {
    const dir = workspace({ 'pglens.json': JSON.stringify({ migrations: ['db/migrations/*'] }), ...files });
    const result = await runCli(['check', '.', '--format', 'json', '--no-embedded', '--verbose'], { cwd: dir });
    const report = parseJsonReport(result);
    const down = ['db/migrations/20240101_add_index.sql:5', 'db/migrations/20240102_knex.js:2'];
    assert.deepEqual(
      report.findings.filter((f) => f.category === 'locking' && (down.includes(`${f.file}:${f.line}`) || f.file.endsWith('.down.sql'))).map((f) => `${f.file}:${f.line} ${f.ruleId}`),
      [],
      result.stdout,
    );
    // Only the two up statements were analysed (dbmate's up, knex's exports.up).
    assert.equal(report.summary.statements, 2, result.stdout);
    assert.ok(report.skipped.some((s) => s.file === 'db/migrations/000002_drop.down.sql' && /down migration/.test(s.reason)), JSON.stringify(report.skipped));
  });

  test('with migrations.checkDown the same down code is judged', async () => {
    const dir = workspace({ 'pglens.json': JSON.stringify({ migrations: { paths: ['db/migrations/*'], checkDown: true } }), ...files });
    const result = await runCli(['check', '.', '--format', 'json', '--no-embedded'], { cwd: dir });
    const report = parseJsonReport(result);
    const judged = new Set(report.findings.filter((f) => f.category === 'locking').map((f) => `${f.file}:${f.line} ${f.ruleId}`));
    for (const at of ['db/migrations/20240101_add_index.sql:5 ', 'db/migrations/20240102_knex.js:2 ', 'db/migrations/000002_drop.down.sql:1 ']) {
      assert.ok([...judged].some((key) => key.startsWith(at)), `${at}in\n${[...judged].join('\n')}`);
    }
  });
});

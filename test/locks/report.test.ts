import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runLocksCommand } from '../../server/src/cli/locksCommand';
import { describeStatementLocks, lockReportForFiles } from '../../server/src/engine/locks/report';
import { lockHoverMarkdown } from '../../server/src/lsp/lockHover';
import { formatLockReportJson, formatLockReportText } from '../../server/src/cli/formatters/locks';
import { locksForStatement } from '../../server/src/engine/locks/lockModel';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';

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

const dir = mkdtempSync(join(tmpdir(), 'pglens-locks-'));
mkdirSync(join(dir, 'migrations'));
const migration = join(dir, 'migrations', '002_plan.sql');
writeFileSync(
  migration,
  [
    '-- plan column',
    "ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'free';",
    '',
    'CREATE INDEX CONCURRENTLY orders_created_idx',
    '  ON orders (created_at);',
    'ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    '',
  ].join('\n'),
);
const code = join(dir, 'repo.ts');
writeFileSync(code, "import { sql } from 'db';\n\nexport const archive = (id: number) =>\n  sql`UPDATE orders SET status = 'archived' WHERE id = ${id}`;\n");

test('lockReportForFiles: one entry per statement with its line, locks, rewrite and scan', async () => {
  const entries = await lockReportForFiles([migration, code]);
  assert.deepEqual(
    entries.map((e) => [e.line, e.locks.map((l) => `${l.table}:${l.mode}`).join(','), e.rewrite, e.scan]),
    [
      [2, 'accounts:AccessExclusiveLock', false, false],
      [4, 'orders:ShareUpdateExclusiveLock', false, true],
      [6, 'accounts:AccessExclusiveLock', true, true],
      [4, 'orders:RowExclusiveLock', false, false],
    ],
  );
  assert.equal(entries[1].canRunInTransaction, false);
  assert.equal(entries[3].file, code);
  assert.equal(entries[3].statement, "UPDATE orders SET status = 'archived' WHERE id = $1");
});

test('JSON is exactly { file, line, statement, locks: [{ table, mode, kind, reason, referenced }], rewrite, scan, canRunInTransaction, notes, findings, migration }', async () => {
  const entries = await lockReportForFiles([migration]);
  const json = JSON.parse(formatLockReportJson(entries));
  assert.deepEqual(json[0], {
    file: migration,
    line: 2,
    statement: "ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'free'",
    locks: [{ table: 'accounts', mode: 'AccessExclusiveLock', kind: 'table', reason: 'ALTER TABLE ... ADD COLUMN', referenced: false }],
    rewrite: false,
    scan: false,
    canRunInTransaction: true,
    notes: [],
    findings: [],
    migration: json[0].migration,
  });
  assert.match(json[0].migration, /^migration, /);
  assert.deepEqual(Object.keys(json[1]), ['file', 'line', 'statement', 'locks', 'rewrite', 'scan', 'canRunInTransaction', 'notes', 'findings', 'migration']);
});

test('text names the mode, the table and what it blocks, per statement line', async () => {
  const text = formatLockReportText(await lockReportForFiles([migration]));
  assert.match(text, /^ {2}2 {2}ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'free'\n {5}ACCESS EXCLUSIVE on accounts: blocks every read and write of accounts until the transaction ends/m);
  assert.match(text, /^ {2}4 {2}CREATE INDEX CONCURRENTLY orders_created_idx ON orders \(created_at\)\n {5}SHARE UPDATE EXCLUSIVE on orders: blocks VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and schema changes of orders; reads and writes go on/m);
  assert.match(text, /cannot run inside a transaction block/);
  assert.match(text, /rewrite: yes {2}scan: yes\n {5}note: Rewrites the table: the default gen_random_uuid\(\) is volatile/);
});

test('runLocksCommand: exit 0 with output; exit 2 with one line for a missing file, no files or a bad format', async () => {
  const out = sink();
  const err = sink();
  assert.equal(await runLocksCommand(['--format', 'json', migration], { stdout: out, stderr: err }), 0);
  assert.equal(JSON.parse(out.text).length, 3);
  assert.equal(err.text, '');

  const missing = sink();
  assert.equal(await runLocksCommand([join(dir, 'nope.sql')], { stdout: sink(), stderr: missing }), 2);
  assert.equal(missing.text, `pglens locks: no such file: ${join(dir, 'nope.sql')}\n`);

  const format = sink();
  assert.equal(await runLocksCommand(['--format', 'xml', migration], { stdout: sink(), stderr: format }), 2);
  assert.equal(format.text.trim().split('\n').length, 1);

  const none = sink();
  assert.equal(await runLocksCommand([], { stdout: sink(), stderr: none }), 2);
  assert.match(none.text, /^pglens locks: no files given\n/);

  const unknown = sink();
  assert.equal(await runLocksCommand(['--nope', migration], { stdout: sink(), stderr: unknown }), 2);
  assert.equal(unknown.text.trim().split('\n').length, 1);
});

test('runLocksCommand --db with an unreachable server: exit 2, one line', async () => {
  const err = sink();
  const code = await runLocksCommand(['--db', 'postgres://nobody@127.0.0.1:1/none', migration], { stdout: sink(), stderr: err });
  assert.equal(code, 2);
  assert.equal(err.text.trim().split('\n').length, 1);
  assert.match(err.text, /^pglens: /);
});

test('the text report names migration files and whether they run in one transaction', async () => {
  const text = formatLockReportText(await lockReportForFiles([migration]));
  // A plain migrations folder: no tool recognised, so pglens does not claim a transaction either way.
  assert.match(text.split('\n')[0], /002_plan\.sql {2}\(migration, runner unknown: "migrationsInTransaction" in pglens\.json says whether it runs in one transaction\)$/);
  const configured = formatLockReportText(await lockReportForFiles([migration], { migrations: { transactional: true } }));
  assert.match(configured.split('\n')[0], /002_plan\.sql {2}\(migration, runs in one transaction: every lock below is held until the whole migration commits\)$/);
});

test('describeStatementLocks: hover lines with sizes', async () => {
  await loadParser();
  const text = "alter table accounts add column plan text default 'free'";
  const [statement] = parseSite({ file: 'x.sql', origin: 'sql-file', text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length }).statements;
  const facts = { schema: 'public', name: 'accounts', estimatedRows: 2_100_000, totalBytes: 310 * 1024 * 1024, columns: [] };
  const lines = describeStatementLocks(locksForStatement(statement), { tables: new Map([['accounts', facts]]), indexes: [], fingerprint: '' });
  assert.equal(lines[0], 'ACCESS EXCLUSIVE on accounts: blocks every read and write of accounts until the transaction ends (accounts: 2.1M rows, 310 MB)');
});

test('statements pglens does not model say so instead of "no table locks"', async () => {
  const file = join(dir, 'misc.sql');
  writeFileSync(file, 'BEGIN;\nALTER SEQUENCE orders_id_seq RESTART WITH 10;\nCOMMIT;\n');
  const text = formatLockReportText(await lockReportForFiles([file]));
  assert.match(text, / {2}1 {2}BEGIN\n {5}no table locks\n/);
  assert.match(text, / {2}2 {2}ALTER SEQUENCE orders_id_seq RESTART WITH 10\n {5}note: pglens does not model the locks of AlterSeq statements\.\n/);
});

test('lockHoverMarkdown: locks in words for a hover; nothing for plain reads', async () => {
  await loadParser();
  const parse = (text: string) =>
    parseSite({ file: 'x.sql', origin: 'sql-file', text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length }).statements[0];
  assert.equal(lockHoverMarkdown(parse('select * from accounts')), undefined);
  assert.equal(
    lockHoverMarkdown(parse('create index on orders (created_at)')),
    '**pglens · locks**\n\n- SHARE on orders: blocks every write (INSERT, UPDATE, DELETE) of orders until the transaction ends; reads go on\n- Reads the whole table to build the index while writes are blocked.',
  );
});

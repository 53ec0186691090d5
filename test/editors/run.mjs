#!/usr/bin/env node
// Other editors get the same diagnostics: headless Neovim (apt `neovim`, 0.7+) runs test/editors/nvim/init.lua
// against `node out/server.js --stdio` on the fixture workspace of the VS Code tests, and the result must match
// what the protocol tests and the VS Code tests assert: one seq-scan-large-table warning on `orders` (line 4,
// columns 28-33), a plan on hover, a table's facts on hover over its name, a completion item for a table name,
// EXPLAIN ANALYZE with a parameter value through workspace/executeCommand, "Add
// index" applied (the server writes the migration: Neovim 0.7 creates no files through WorkspaceEdits), "Add NOT VALID"
// applied on a dbmate migration (the edit, and the VALIDATE migration the server writes), a lock rewrite applied as a
// plain edit, each finding gone after, and no diagnostic after an edit that makes the query use the primary key. Then
// Emacs 28 with eglot (apt `emacs-nox elpa-eglot`) runs test/editors/emacs/test.el and must see the same diagnostic.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (line) => process.stderr.write(`[editors] ${line}\n`);

async function testDatabaseUrl() {
  if (process.env.PGLENS_TEST_DATABASE_URL) return { url: process.env.PGLENS_TEST_DATABASE_URL, stop: async () => undefined };
  const { require: tsRequire } = await import('tsx/cjs/api');
  const harness = tsRequire('../harness/postgres.ts', import.meta.url);
  const started = await harness.startFixtureCluster();
  return { url: started.shared.url, stop: () => started.cluster.stop() };
}

function checkNeovim(url) {
  const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (nvim.status !== 0) throw new Error('nvim is missing: run `bash scripts/setup.sh` (apt package neovim)');
  const workspace = mkdtempSync(join(tmpdir(), 'pglens-nvim-'));
  try {
    cpSync(join(root, 'test', 'vscode', 'fixture'), workspace, { recursive: true });
    // prod-snapshot.json (in the fixture): production's numbers, shown as a CodeLens.
    writeFileSync(join(workspace, 'pglens.json'), `${JSON.stringify({ database: { url }, snapshot: 'prod-snapshot.json' }, null, 2)}\n`);
    // For "Add index": a lookup an index on orders.customer_email serves.
    writeFileSync(join(workspace, 'src', 'by-email.ts'), "import { sql } from './db';\nexport const byEmail = (email: string) => sql`select id, status from orders where customer_email = ${email}`;\n");
    // For "Add NOT VALID": a dbmate migration (run in a transaction) adding a CHECK; for a lock rewrite, a script
    // adding a column with a volatile default. migrations/ is where "Add index" writes (db/migrations would win otherwise).
    mkdirSync(join(workspace, 'migrations'));
    mkdirSync(join(workspace, 'db', 'migrations'), { recursive: true });
    writeFileSync(join(workspace, 'db', 'migrations', '20250101000000_checks.sql'), '-- migrate:up\nALTER TABLE invoices ADD CONSTRAINT invoices_amount_positive CHECK (amount_cents >= 0);\n\n-- migrate:down\n');
    mkdirSync(join(workspace, 'scripts'));
    writeFileSync(join(workspace, 'scripts', 'maintenance.sql'), 'alter table invoices add column token uuid default gen_random_uuid();\n');
    const out = join(workspace, 'nvim-result.json');
    const started = Date.now();
    const run = spawnSync('nvim', ['--headless', '--clean', '-u', join(root, 'test', 'editors', 'nvim', 'init.lua')], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, PGLENS_SERVER: join(root, 'out', 'server.js'), PGLENS_WORKSPACE: workspace, PGLENS_NVIM_OUT: out },
    });
    if (!existsSync(out)) throw new Error(`Neovim wrote no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    log(`${nvim.stdout.split('\n')[0]}: ${Date.now() - started} ms, diagnostics ${JSON.stringify(result.diagnostics.map((d) => [d.code, d.lnum, d.col, d.end_lnum, d.end_col]))}`);
    assert.deepEqual(result.errors, []);
    assert.equal(result.diagnostics.length, 1, JSON.stringify(result.diagnostics));
    const [diagnostic] = result.diagnostics;
    assert.deepEqual([diagnostic.lnum, diagnostic.col, diagnostic.end_lnum, diagnostic.end_col], [3, 27, 3, 33]);
    assert.equal(diagnostic.code, 'seq-scan-large-table');
    assert.equal(diagnostic.severity, 2); // vim.diagnostic.severity.WARN
    assert.match(diagnostic.message, /Seq Scan on orders/);
    assert.match(result.hover ?? '', /Seq Scan on orders .*◀ costliest/);
    assert.match(result.table_hover ?? '', /pglens · table public\.accounts\*\* · .*rows \(estimate\)/);
    assert.ok(result.completion.includes('accounts'), JSON.stringify(result.completion));
    assert.deepEqual(result.codelens, [[7, 'prod: 1,240 calls/min · mean 38 ms · 21% of DB time']]);
    // EXPLAIN ANALYZE through workspace/executeCommand: the parameter's inferred type and source, then a run with a value.
    assert.deepEqual(result.analyze_parameter, [1, 'bigint', '${id}']);
    assert.deepEqual(result.analyze, { actual_rows: 1 });
    // Neovim 0.7 creates no files through WorkspaceEdits: "Add index" is a command the server carries out.
    assert.match(result.add_index ?? '', /^Add index orders_customer_email_idx in a new migration$/);
    assert.equal(result.migrations.length, 1, JSON.stringify(result.migrations));
    assert.match(readFileSync(result.migrations[0], 'utf8'), /CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_email_idx ON orders \(customer_email\);/);
    // "Add NOT VALID": the edit applied through workspace/applyEdit, the VALIDATE migration written by the server in
    // dbmate's layout beside the migration, and the finding gone from the edited buffer.
    assert.match(result.not_valid ?? '', /^Add NOT VALID \(VALIDATE CONSTRAINT in a new migration\)$/);
    assert.match(result.not_valid_text, /CHECK \(amount_cents >= 0\) NOT VALID;/);
    assert.equal(result.not_valid_left, 0);
    assert.equal(result.validate_migrations.length, 1, JSON.stringify(result.validate_migrations));
    assert.match(readFileSync(result.validate_migrations[0], 'utf8'), /^-- migrate:up\n(-- .*\n)*ALTER TABLE invoices VALIDATE CONSTRAINT invoices_amount_positive;\n\n-- migrate:down\n$/);
    // The volatile-default rewrite: ADD COLUMN, then SET DEFAULT, and the backfill left to the reader.
    assert.match(result.rewrite ?? '', /^Add the column without a volatile default/);
    assert.match(result.rewrite_text, /ALTER TABLE invoices ADD COLUMN token uuid;\nALTER TABLE invoices ALTER COLUMN token SET DEFAULT gen_random_uuid\(\);/);
    assert.equal(result.rewrite_left, 0);
    assert.deepEqual(result.after_edit, []);
    log('Neovim: same diagnostic at the same range, plan on hover, table hover, completion, CodeLens with production numbers, EXPLAIN ANALYZE with a value, Add index wrote its migration, Add NOT VALID edited and wrote its VALIDATE migration, a lock rewrite applied, cleared after an edit');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

function checkEmacs(url) {
  const emacs = spawnSync('emacs', ['--version'], { encoding: 'utf8' });
  if (emacs.status !== 0) throw new Error('emacs is missing: run `bash scripts/setup.sh` (apt packages emacs-nox elpa-eglot)');
  const workspace = mkdtempSync(join(tmpdir(), 'pglens-emacs-'));
  try {
    cpSync(join(root, 'test', 'vscode', 'fixture'), workspace, { recursive: true });
    writeFileSync(join(workspace, 'pglens.json'), `${JSON.stringify({ database: { url } }, null, 2)}\n`);
    // eglot finds the project through project.el, which needs a VCS root.
    spawnSync('git', ['init', '-q', workspace]);
    const out = join(workspace, 'emacs-result.json');
    const started = Date.now();
    // Not -Q: Debian's site-start puts elpa-eglot on the load path.
    const run = spawnSync('emacs', ['--batch', '-l', join(root, 'test', 'editors', 'emacs', 'test.el')], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, PGLENS_SERVER: join(root, 'out', 'server.js'), PGLENS_WORKSPACE: workspace, PGLENS_EMACS_OUT: out },
    });
    if (!existsSync(out)) throw new Error(`Emacs wrote no result (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    log(`${emacs.stdout.split('\n')[0]} + eglot: ${Date.now() - started} ms, diagnostics ${JSON.stringify(result)}`);
    assert.ok(Array.isArray(result), JSON.stringify(result));
    assert.equal(result.length, 1, JSON.stringify(result));
    const [diagnostic] = result;
    assert.deepEqual([diagnostic.line, diagnostic.col, diagnostic.end_line, diagnostic.end_col], [3, 27, 3, 33]);
    assert.equal(diagnostic.type, 'eglot-warning');
    assert.match(diagnostic.text, /seq-scan-large-table.*Seq Scan on orders/);
    log('Emacs: same diagnostic at the same range');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

async function main() {
  if (process.env.PGLENS_TEST_NO_BUILD !== '1' && !existsSync(join(root, 'out', 'server.js'))) {
    const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
    if (build.status !== 0) return build.status ?? 1;
  }
  const database = await testDatabaseUrl();
  try {
    checkNeovim(database.url);
    checkEmacs(database.url);
    return 0;
  } finally {
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error.stack ?? String(error));
    process.exit(1);
  },
);

// The language server over stdio, driven by a real JSON-RPC client against the ephemeral PostgreSQL: documents are
// opened, changed and closed, and diagnostics arrive at the exact ranges of the SQL they are about.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { createWorkspace, ORDERS_RANGE, ORDERS_SQL, ORDERS_SQL_RANGE, ORDERS_TS, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

let workspace: FixtureWorkspace;
let client: LspTestClient;

before(async () => {
  const db = await getSharedTestDatabase();
  workspace = createWorkspace({ database: { url: db.url } });
  client = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
});

after(async () => {
  await client?.stop();
  workspace?.remove();
});

test('announces incremental sync, hover, quick fixes and no pull diagnostics to a client without them', () => {
  const capabilities = client.initializeResult.capabilities;
  assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 });
  assert.equal(capabilities.hoverProvider, true);
  assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
  assert.equal(capabilities.diagnosticProvider, undefined);
});

test('registers file watchers for pglens.json and .sql files', async () => {
  const registration = await client.waitFor('watcher registration', () => client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles'));
  const globs = (registration.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
  assert.deepEqual(globs.sort(), ['**/*.sql', '**/pglens.json']);
});

test('reports the connected database in pglens/status', async () => {
  const status = await client.waitForStatus((s) => (s.folders as { state: string }[])[0]?.state === 'connected');
  const folder = (status.folders as Record<string, unknown>[])[0];
  assert.match(String(folder.label), /^app@127\.0\.0\.1:\d+\/pglens_test$/);
  assert.match(String(folder.serverVersion), /^\d+\.\d+/);
  assert.equal(typeof folder.hypopg, 'boolean');
});

test('a TS file: a sequential scan of orders is reported on `orders`, the indexed lookup stays quiet', async () => {
  const uri = workspace.write('orders.ts', ORDERS_TS);
  await client.open(uri, 'typescript', ORDERS_TS);
  const published = await client.waitForDiagnostics(uri, { version: 1 });
  assert.equal(published.version, 1);
  assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics, null, 2));
  const [diagnostic] = published.diagnostics;
  assert.deepEqual(diagnostic.range, ORDERS_RANGE);
  assert.equal(diagnostic.source, 'pglens');
  assert.equal(diagnostic.code, 'seq-scan-large-table');
  assert.equal(diagnostic.severity, 2);
  // The message is the headline (one line, <= 120 characters); details and the plan note are related information.
  assert.match(String(diagnostic.message), /^Seq Scan on orders reads all ~300k rows/);
  assert.ok(String(diagnostic.message).length <= 120 && !String(diagnostic.message).includes('\n'), String(diagnostic.message));
  const related = (diagnostic.relatedInformation ?? []).map((r) => r.message);
  assert.ok(related.some((m) => /generic plan/.test(m)), related.join(' | '));
  assert.ok((diagnostic.relatedInformation ?? []).every((r) => r.location.uri === uri && r.location.range.start.line === ORDERS_RANGE.start.line));
  assert.equal(diagnostic.codeDescription?.href, 'https://github.com/pglens/pglens/blob/main/docs/rules/seq-scan-large-table.md');
  const status = await client.waitForStatus((s) => s.findingCount === 1);
  assert.equal(status.findingCount, 1);
});

test('an incremental edit that makes the query indexed clears the diagnostic; undoing it brings it back', async () => {
  const uri = workspace.uri('orders.ts');
  await client.analysisComplete(uri);
  const before = client.published.length;
  // `note = ${note}` → `id = ${note}` (primary key lookup).
  const fixed = await client.change(uri, [{ range: { start: { line: 3, character: 40 }, end: { line: 3, character: 44 } }, text: 'id' }]);
  const cleared = await client.waitForDiagnostics(uri, { version: fixed, since: before });
  assert.deepEqual(cleared.diagnostics, []);
  await client.analysisComplete(uri);
  const again = client.published.length;
  const undone = await client.change(uri, [{ range: { start: { line: 3, character: 40 }, end: { line: 3, character: 42 } }, text: 'note' }]);
  const back = await client.waitForDiagnostics(uri, { version: undone, since: again });
  assert.deepEqual(back.diagnostics.map((d) => [d.code, d.range]), [['seq-scan-large-table', ORDERS_RANGE]]);
});

test('a .sql file: statements are located in the file; a syntax error is reported at its exact column', async () => {
  const uri = workspace.write('reports.sql', ORDERS_SQL);
  await client.open(uri, 'sql', ORDERS_SQL);
  const published = await client.waitForDiagnostics(uri, { version: 1 });
  assert.deepEqual(published.diagnostics.map((d) => [d.code, d.range]), [['seq-scan-large-table', ORDERS_SQL_RANGE]]);


  await client.analysisComplete(uri);
  const before = client.published.length;
  const version = await client.change(uri, [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 6 } }, text: 'selec' }]);
  const broken = await client.waitForDiagnostics(uri, { version, since: before });
  const syntax = broken.diagnostics.find((d) => d.code === 'syntax-error');
  assert.ok(syntax, JSON.stringify(broken.diagnostics));
  assert.equal(syntax.severity, 1);
  assert.equal(syntax.range.start.line, 3);
  assert.equal(syntax.range.start.character, 0);
});

test('closing a document clears its diagnostics and its findings leave the count', async () => {
  const uri = workspace.uri('reports.sql');
  await client.analysisComplete(uri);
  const before = client.published.length;
  await client.close(uri);
  const cleared = await client.waitForDiagnostics(uri, { since: before });
  assert.deepEqual(cleared.diagnostics, []);
  const status = await client.waitForStatus((s) => s.findingCount === 1);
  assert.equal(status.findingCount, 1);
});

test('files that are not SQL, TS or JS are ignored', async () => {
  const uri = workspace.write('notes.md', 'select * from orders where note = 1');
  await client.open(uri, 'markdown', 'select * from orders where note = 1');
  // The next analysed document proves the server went past the markdown file without publishing for it.
  const other = workspace.write('other.sql', 'select 1;\n');
  await client.open(other, 'sql', 'select 1;\n');
  await client.waitForDiagnostics(other);
  assert.equal(client.published.filter((p) => p.uri === uri).length, 0);
});

test('pull diagnostics: a client that supports textDocument/diagnostic pulls them and gets no pushes', async () => {
  const db = await getSharedTestDatabase();
  const pullWorkspace = createWorkspace({ database: { url: db.url } });
  const pull = await LspTestClient.start({ rootDir: pullWorkspace.dir, settings: {}, pullDiagnostics: true });
  try {
    assert.deepEqual(pull.initializeResult.capabilities.diagnosticProvider, { interFileDependencies: false, workspaceDiagnostics: false });
    const uri = pullWorkspace.write('orders.ts', ORDERS_TS);
    await pull.open(uri, 'typescript', ORDERS_TS);
    const report = await pull.request<{ kind: string; items: { code: string; range: unknown }[] }>('textDocument/diagnostic', { textDocument: { uri } });
    assert.equal(report.kind, 'full');
    assert.deepEqual(report.items.map((d) => [d.code, d.range]), [['seq-scan-large-table', ORDERS_RANGE]]);
    // After an edit the pull answers for the new version.
    await pull.change(uri, [{ range: { start: { line: 3, character: 40 }, end: { line: 3, character: 44 } }, text: 'id' }]);
    const after = await pull.request<{ items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri } });
    assert.deepEqual(after.items, []);
    assert.equal(pull.published.length, 0);
  } finally {
    await pull.stop();
    pullWorkspace.remove();
  }
});

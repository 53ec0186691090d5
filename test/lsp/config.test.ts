// Configuration without restarts: pglens.json changes (announced through the file watcher the server registered),
// editor settings that override the file, the password handed over by the client, workspace trust, and a database
// that cannot be reached.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { createWorkspace, ORDERS_RANGE, ORDERS_TS, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

let url: string;
const workspaces: FixtureWorkspace[] = [];

before(async () => {
  url = (await getSharedTestDatabase()).url;
});

after(() => {
  for (const workspace of workspaces) workspace.remove();
});

function workspaceWith(config: Record<string, unknown> | undefined): FixtureWorkspace {
  const workspace = createWorkspace(config);
  workspaces.push(workspace);
  return workspace;
}

type Folder = { state: string; reason?: string; label?: string; configError?: string };
const firstFolder = (status: Record<string, unknown>) => (status.folders as Folder[])[0];

test('pglens.json turning the rule off (file watcher event) clears the diagnostic; turning it back on restores it', async () => {
  const workspace = workspaceWith({ database: { url } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
  try {
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    const first = await client.waitForDiagnostics(uri, { version: 1 });
    assert.deepEqual(first.diagnostics.map((d) => d.code), ['seq-scan-large-table']);

    // The editor watches the globs the server registered and reports the change.
    await client.waitFor('watcher registration', () => client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles'));
    await client.analysisComplete(uri);
    let before = client.published.length;
    const configUri = workspace.writeConfig({ database: { url }, rules: { 'seq-scan-large-table': { severity: 'off' } } });
    await client.notify_('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
    const off = await client.waitForDiagnostics(uri, { since: before });
    assert.deepEqual(off.diagnostics, []);

    await client.analysisComplete(uri);

    before = client.published.length;
    workspace.writeConfig({ database: { url }, rules: { 'seq-scan-large-table': 'error' } });
    await client.notify_('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
    const back = await client.waitForDiagnostics(uri, { since: before });
    assert.deepEqual(back.diagnostics.map((d) => [d.code, d.severity, d.range]), [['seq-scan-large-table', 1, ORDERS_RANGE]]);

    // An invalid config (a file half-way through an edit) is reported, and the last valid one stays in use.
    await client.analysisComplete(uri);
    before = client.published.length;
    workspace.write('pglens.json', '{ "rules": { "seq-scan-large-table": { "severity": "loud" } } }');
    await client.notify_('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
    const invalid = await client.waitForStatus((s) => firstFolder(s).configError !== undefined);
    assert.match(firstFolder(invalid).configError!, /pglens\.json:\d+: rules\.seq-scan-large-table\.severity/);
    assert.equal(firstFolder(invalid).state, 'connected');
    await client.waitFor('config warning', () => client.logs.find((l) => l.startsWith('showMessage: pglens: invalid config')));
    const kept = await client.waitForDiagnostics(uri, { since: before });
    assert.deepEqual(kept.diagnostics.map((d) => [d.code, d.severity]), [['seq-scan-large-table', 1]]);
  } finally {
    await client.stop();
  }
});

test('editor settings override the file: rule severity and database URL, re-read on didChangeConfiguration', async () => {
  const workspace = workspaceWith({ rules: { 'seq-scan-large-table': 'info' } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { database: { url } } });
  try {
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    const info = await client.waitForDiagnostics(uri, { version: 1 });
    assert.deepEqual(info.diagnostics.map((d) => [d.code, d.severity]), [['seq-scan-large-table', 3]]);

    await client.analysisComplete(uri);

    const before = client.published.length;
    client.settings = { database: { url }, rules: { 'seq-scan-large-table': 'hint' } };
    await client.notify_('workspace/didChangeConfiguration', { settings: null });
    const hint = await client.waitForDiagnostics(uri, { since: before });
    assert.deepEqual(hint.diagnostics.map((d) => [d.code, d.severity]), [['seq-scan-large-table', 4]]);
  } finally {
    await client.stop();
  }
});

test('editors without workspace/configuration send settings in initializationOptions and didChangeConfiguration', async () => {
  const workspace = workspaceWith(undefined);
  const client = await LspTestClient.start({ rootDir: workspace.dir, initializationOptions: { settings: { database: { url } } } });
  try {
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    assert.deepEqual((await client.waitForDiagnostics(uri, { version: 1 })).diagnostics.map((d) => d.code), ['seq-scan-large-table']);
    await client.analysisComplete(uri);
    const before = client.published.length;
    await client.notify_('workspace/didChangeConfiguration', { settings: { pglens: { database: { url }, rules: { 'seq-scan-large-table': 'off' } } } });
    assert.deepEqual((await client.waitForDiagnostics(uri, { since: before })).diagnostics, []);
  } finally {
    await client.stop();
  }
});

test('the password comes from the client, is combined with the URL, and never appears in the log', async () => {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const workspace = workspaceWith({ database: { url: parsed.toString() } });

  // Without the password: disconnected, with the reason; rules that need no plan still run.
  const without = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
  try {
    const status = await without.waitForStatus((s) => firstFolder(s).state === 'disconnected');
    assert.match(firstFolder(status).reason!, /password/i);
    const uri = workspace.write('broken.sql', 'selec 1;\n');
    await without.open(uri, 'sql', 'selec 1;\n');
    assert.deepEqual((await without.waitForDiagnostics(uri)).diagnostics.map((d) => d.code), ['syntax-error']);

    // The client hands the password over later (VS Code: "pglens: Set Database Password").
    await without.notify_('pglens/setPassword', { password });
    const connected = await without.waitForStatus((s) => firstFolder(s).state === 'connected');
    assert.match(firstFolder(connected).label!, /^app@127\.0\.0\.1/);
    assert.ok(!JSON.stringify(without.statuses).includes(password));
    assert.ok(!without.logs.join('\n').includes(password), without.logs.join('\n'));
  } finally {
    await without.stop();
  }

  // Handed over at start, in initializationOptions.
  const withPassword = await LspTestClient.start({ rootDir: workspace.dir, settings: {}, initializationOptions: { password } });
  try {
    await withPassword.waitForStatus((s) => firstFolder(s).state === 'connected');
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await withPassword.open(uri, 'typescript', ORDERS_TS);
    assert.deepEqual((await withPassword.waitForDiagnostics(uri)).diagnostics.map((d) => d.code), ['seq-scan-large-table']);
    assert.ok(!withPassword.logs.join('\n').includes(password));
  } finally {
    await withPassword.stop();
  }
});

test('an untrusted workspace never connects; trusting it connects', async () => {
  const workspace = workspaceWith({ database: { url } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {}, initializationOptions: { untrusted: true } });
  try {
    const status = await client.waitForStatus((s) => firstFolder(s).state === 'static');
    assert.match(firstFolder(status).reason!, /untrusted/);
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    assert.deepEqual((await client.waitForDiagnostics(uri)).diagnostics, []);
    const analyze = await client.request<{ error?: string }>('pglens/explainAnalyze', { uri, position: { line: 3, character: 15 } });
    assert.match(analyze.error!, /not trusted/);

    await client.analysisComplete(uri);

    const before = client.published.length;
    await client.notify_('pglens/setTrust', { trusted: true });
    await client.waitForStatus((s) => firstFolder(s).state === 'connected');
    assert.deepEqual((await client.waitForDiagnostics(uri, { since: before })).diagnostics.map((d) => d.code), ['seq-scan-large-table']);
  } finally {
    await client.stop();
  }
});

test('an unreachable database: disconnected with the reason, quickly, and static rules keep working', async () => {
  const workspace = workspaceWith({ database: { url: 'postgres://app@127.0.0.1:1/nowhere' } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
  try {
    const started = Date.now();
    const status = await client.waitForStatus((s) => firstFolder(s).state === 'disconnected');
    assert.ok(Date.now() - started < 15_000);
    assert.match(firstFolder(status).reason!, /127\.0\.0\.1:1/);
    const uri = workspace.write('index.sql', 'create index orders_note_idx on orders (note);\n');
    await client.open(uri, 'sql', 'create index orders_note_idx on orders (note);\n');
    assert.deepEqual((await client.waitForDiagnostics(uri)).diagnostics.map((d) => d.code), ['require-concurrent-index-creation']);
    // Which database does not answer (the status bar names it), and the hover says so: not "no database".
    assert.equal((firstFolder(status) as { label?: string }).label, 'app@127.0.0.1:1/nowhere');
    const query = workspace.write('q.sql', 'select id from orders where note = 1;\n');
    await client.open(query, 'sql', 'select id from orders where note = 1;\n');
    await client.waitForDiagnostics(query);
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: query }, position: { line: 0, character: 2 } });
    assert.match(hover.contents.value, /not planned: the database does not answer \(.*127\.0\.0\.1:1/);
    assert.doesNotMatch(hover.contents.value, /no database|not planned: not planned/);
  } finally {
    await client.stop();
  }
});

test('pglens/reanalyze reconnects and re-analyses every open document', async () => {
  const workspace = workspaceWith({ database: { url } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
  try {
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.waitForDiagnostics(uri, { version: 1 });
    await client.analysisComplete(uri);
    const before = client.published.length;
    const result = await client.request<{ documents: number }>('pglens/reanalyze', null);
    assert.equal(result.documents, 1);
    const again = await client.waitForDiagnostics(uri, { since: before });
    assert.deepEqual(again.diagnostics.map((d) => d.code), ['seq-scan-large-table']);
  } finally {
    await client.stop();
  }
});

test('a changed .sql file (a migration, a schema file) makes the server read the schema again and re-analyse open documents', async () => {
  const workspace = workspaceWith({ database: { url } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
  try {
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.waitForDiagnostics(uri, { version: 1 });
    await client.analysisComplete(uri);
    const before = client.published.length;
    const migration = workspace.write('001_add_index.sql', 'create index concurrently orders_note_idx on orders (note);\n');
    await client.notify_('workspace/didChangeWatchedFiles', { changes: [{ uri: migration, type: 1 }] });
    const again = await client.waitForDiagnostics(uri, { since: before });
    assert.equal(again.version, 1);
    // The migration has not been applied to the database: the scan is still there.
    assert.deepEqual(again.diagnostics.map((d) => d.code), ['seq-scan-large-table']);
  } finally {
    await client.stop();
  }
});

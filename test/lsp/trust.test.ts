// Workspace Trust: an untrusted repository cannot choose the database. Its pglens.json `database.url` (and timeouts),
// the workspace's settings and the environment are ignored; only the user's own database URL (sent by the client as
// userDatabaseUrl) is used, and the server says so once. Editors that know nothing of trust are trusted.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { getSharedTestDatabase } from '../harness/postgres';
import { createWorkspace, ORDERS_TS, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

let url: string;
let superuserUrl: string;
const workspaces: FixtureWorkspace[] = [];

before(async () => {
  ({ url, superuserUrl } = await getSharedTestDatabase());
});

after(() => {
  for (const workspace of workspaces) workspace.remove();
});

type Folder = { state: string; reason?: string; label?: string };
const firstFolder = (status: Record<string, unknown>) => (status.folders as Folder[])[0];

/** Connections to the test cluster whose application_name says pglens, and their database. */
async function pglensSessions(applicationName: string): Promise<number> {
  const admin = new Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return Number(rows[0].n);
  } finally {
    await admin.end();
  }
}

/** The test database's URL with an application_name, so this test's connections are told from other tests'. */
function taggedUrl(tag: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', tag);
  return u.toString();
}

test('untrusted: pglens.json database.url and workspace settings are ignored, no connection, the reason said once', async () => {
  const tag = `pglens-trust-${process.pid}-a`;
  const workspace = createWorkspace({ database: { url: taggedUrl(tag), statementTimeoutMs: 60_000 } });
  workspaces.push(workspace);
  // Workspace settings (what an editor answers to workspace/configuration) name the database too.
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { database: { url: taggedUrl(tag) } }, initializationOptions: { trusted: false } });
  try {
    const status = await client.waitForStatus((s) => firstFolder(s).state === 'static');
    assert.match(firstFolder(status).reason!, /^untrusted workspace: no database from the workspace \(set pglens\.database\.url in your user settings, or trust the workspace\)$/);
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    assert.deepEqual((await client.waitForDiagnostics(uri)).diagnostics, [], 'no plan, so no plan finding');
    await client.analysisComplete(uri);
    assert.equal(await pglensSessions(tag), 0, 'no session was opened to the database the repository named');
    // Reloads (a settings change) do not repeat the notice.
    const reloads = () => client.logs.filter((line) => line.includes('; static: untrusted workspace')).length;
    const before = reloads();
    await client.notify_('workspace/didChangeConfiguration', { settings: {} });
    await client.waitFor('the reload', () => (reloads() > before ? true : undefined));
    const notices = client.logs.filter((line) => line.includes('the database settings of pglens.json and of the workspace are ignored'));
    assert.equal(notices.length, 1, notices.join('\n'));
  } finally {
    await client.stop();
  }
});

test('untrusted with a user-settings URL: that database is used, never the repository\'s', async () => {
  const repositoryTag = `pglens-trust-${process.pid}-repo`;
  const userTag = `pglens-trust-${process.pid}-user`;
  const workspace = createWorkspace({ database: { url: taggedUrl(repositoryTag) } });
  workspaces.push(workspace);
  const client = await LspTestClient.start({
    rootDir: workspace.dir,
    settings: { database: { url: taggedUrl(repositoryTag) } },
    initializationOptions: { trusted: false, userDatabaseUrl: taggedUrl(userTag) },
  });
  try {
    await client.waitForStatus((s) => firstFolder(s).state === 'connected');
    const uri = workspace.write('orders.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    assert.deepEqual((await client.waitForDiagnostics(uri)).diagnostics.map((d) => d.code), ['seq-scan-large-table']);
    await client.analysisComplete(uri);
    assert.ok((await pglensSessions(userTag)) > 0, 'the user-settings database is connected');
    assert.equal(await pglensSessions(repositoryTag), 0, 'the repository\'s database is not');
    assert.ok(client.logs.some((line) => /untrusted workspace: .*; using pglens\.database\.url from your user settings/.test(line)), client.logs.join('\n'));
  } finally {
    await client.stop();
  }
});

test('untrusted: DATABASE_URL and PG* from the environment are not used either', async () => {
  const tag = `pglens-trust-${process.pid}-env`;
  const workspace = createWorkspace({ rules: {} });
  workspaces.push(workspace);
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {}, initializationOptions: { trusted: false }, env: { DATABASE_URL: taggedUrl(tag) } });
  try {
    await client.waitForStatus((s) => firstFolder(s).state === 'static');
    assert.equal(await pglensSessions(tag), 0);
  } finally {
    await client.stop();
  }
});

test('an editor that sends nothing about trust is trusted; trusting an untrusted workspace connects', async () => {
  const workspace = createWorkspace({ database: { url } });
  workspaces.push(workspace);
  const trustedByDefault = await LspTestClient.start({ rootDir: workspace.dir, settings: {} });
  try {
    await trustedByDefault.waitForStatus((s) => firstFolder(s).state === 'connected');
  } finally {
    await trustedByDefault.stop();
  }
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: {}, initializationOptions: { trusted: false } });
  try {
    await client.waitForStatus((s) => firstFolder(s).state === 'static');
    await client.notify_('pglens/setTrust', { trusted: true });
    await client.waitForStatus((s) => firstFolder(s).state === 'connected');
  } finally {
    await client.stop();
  }
});

// "Re-analyse Workspace" (pglens/reanalyze): every file pglens would check, open or not, analysed again with its
// diagnostics published (the Problems panel), progress reported, and cancellable between files.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancellationTokenSource } from 'vscode-jsonrpc';
import { workspaceWithServer, ORDERS_SQL, ORDERS_TS, type FixtureWorkspace } from './fixtureWorkspace';
import type { LspTestClient } from './lspTestClient';

let workspace: FixtureWorkspace;
let client: LspTestClient;

before(async () => {
  ({ workspace, client } = await workspaceWithServer());
});

after(async () => {
  await client?.stop();
  workspace?.remove();
});

test('Re-analyse Workspace analyses the files that are not open too, publishes their findings and reports progress', async () => {
  const closedTs = workspace.write('src/orders.ts', ORDERS_TS);
  const closedSql = workspace.write('sql/reports.sql', ORDERS_SQL);
  workspace.write('src/clean.ts', "import { sql } from './db';\nexport const one = () => sql`select id from accounts where id = 1`;\n");
  const progress: { done: number; total: number; file?: string }[] = [];
  client.connection.onNotification('pglens/reanalyzeProgress', (params: unknown) => {
    progress.push(params as { done: number; total: number; file?: string });
  });
  const opened = workspace.write('src/open.ts', "import { sql } from './db';\nexport const two = () => sql`select id from accounts where id = 2`;\n");
  await client.open(opened, 'typescript', "import { sql } from './db';\nexport const two = () => sql`select id from accounts where id = 2`;\n");

  const result = await client.request<{ documents: number; files: number; findings: number; cancelled: boolean }>('pglens/reanalyze', {});
  assert.equal(result.cancelled, false);
  assert.equal(result.documents, 1);
  assert.ok(result.files >= 4, JSON.stringify(result));
  for (const uri of [closedTs, closedSql]) {
    const published = client.published.filter((p) => p.uri === uri).at(-1);
    assert.ok(published, `diagnostics for ${uri}`);
    assert.deepEqual(published.diagnostics.map((d) => d.code), ['seq-scan-large-table']);
  }
  assert.ok(progress.some((p) => p.file === 'src/orders.ts' || p.file === 'src\\orders.ts'), JSON.stringify(progress));
  assert.deepEqual(progress.at(-1), { done: result.files, total: result.files });
});

test('Re-analyse Workspace stops between files when cancelled', async () => {
  for (let i = 0; i < 30; i++) workspace.write(`many/q${i}.sql`, `select * from orders where note = 'n${i}';\n`);
  const source = new CancellationTokenSource();
  let cancelledAt: number | undefined;
  const listener = client.connection.onNotification('pglens/reanalyzeProgress', (value: unknown) => {
    const params = value as { done: number; total: number };
    if (cancelledAt === undefined && params.done >= 2) {
      cancelledAt = params.done;
      source.cancel();
    }
  });
  try {
    const outcome = await client.connection.sendRequest<{ files: number; cancelled: boolean }>('pglens/reanalyze', {}, source.token).catch((error: { code?: number }) => error);
    // Either the server's own answer (cancelled, fewer files) or the JSON-RPC "request cancelled" error.
    if ('cancelled' in outcome) {
      assert.equal(outcome.cancelled, true);
      assert.ok(outcome.files < 34, JSON.stringify(outcome));
    } else {
      assert.equal((outcome as { code?: number }).code, -32800);
    }
    assert.ok(cancelledAt !== undefined);
  } finally {
    listener.dispose();
  }
});

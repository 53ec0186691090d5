// Issue 11: in the editor, an embedded database built from no schema files is said once (a warning message and the
// folder's pglens/status), not as a "relation does not exist" diagnostic on every query.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchWorkspace } from '../cli/cliHarness';
import { LspTestClient, pathToUri } from './lspTestClient';

const cacheHome = mkdtempSync(join(tmpdir(), 'pglens-lsp-schema-cache-'));
const NO_DATABASE = { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', PGUSER: '', PGPASSWORD: '', XDG_CACHE_HOME: cacheHome };
const APP = [
  "import { pool } from './db';",
  "export const byEmail = (email: string) => pool.query('SELECT id FROM customers WHERE email = $1', [email]);",
  "export const recent = (id: number) => pool.query('SELECT id FROM orders WHERE customer_id = $1', [id]);",
  '',
].join('\n');
const ws = scratchWorkspace({ 'pglens.json': '{}', 'src/app.ts': APP });
after(() => {
  ws.remove();
  rmSync(cacheHome, { recursive: true, force: true });
});

test('no schema files: one warning and a status line naming the missing tables, no plan-error diagnostics', async () => {
  const client = await LspTestClient.start({ rootDir: ws.dir, env: NO_DATABASE });
  try {
    const file = join(ws.dir, 'src', 'app.ts');
    const uri = pathToUri(file);
    await client.open(uri, 'typescript', APP);
    type Folder = { state: string; schemaWarning?: string };
    const warned = (status: Record<string, unknown>) => (status.folders as Folder[] | undefined)?.find((f) => f.state === 'embedded' && f.schemaWarning);
    const status = await client.waitForStatus((s) => warned(s) !== undefined, 300_000);
    assert.match(
      String(warned(status)!.schemaWarning),
      /^the embedded database has too little of the schema to plan against: no schema files found .*2 of 2 tables the code names are missing \(customers, orders\)\. Point "schema" in pglens\.json at the files that create these tables, or set database\.url in pglens\.json/,
    );
    await client.analysisComplete(uri);
    const last = client.published.filter((p) => p.uri === uri).at(-1);
    assert.deepEqual(last?.diagnostics.filter((d) => d.code === 'plan-error') ?? [], []);
    // Edits re-analyse the file; the warning is not repeated.
    await client.change(uri, [{ text: APP + '\n' }]);
    await client.analysisComplete(uri);
    const shown = client.logs.filter((line) => line.startsWith('showMessage: pglens: the embedded database has too little'));
    assert.equal(shown.length, 1, client.logs.join('\n'));
  } finally {
    await client.stop();
  }
});

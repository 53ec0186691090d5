// Production's numbers beside the code without a database: a workspace whose pglens.json names a snapshot gives each
// statement production runs its calls and time (the hover shows them above the plan), and only those statements.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '../../server/src/engine/workspace';
import { loadPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { serializeSnapshot } from '../../server/src/engine/snapshot/format';
import { statementsSnapshot } from './statementsSnapshot';
import { hoverFor } from '../../server/src/lsp/hover';

let folder: string;

before(async () => {
  await loadPgQuery();
  folder = mkdtempSync(join(tmpdir(), 'pglens-runtime-cost-'));
  // What production sent: constants where the code has $1, an IN list of another length.
  const sent = ['SELECT id, status FROM orders WHERE customer_id = 42', "SELECT id FROM orders WHERE status IN ('paid', 'shipped', 'delivered')"];
  const snapshot = statementsSnapshot(sent.map((query, i) => ({ query, calls: 1240 * (i + 1), totalMs: 2100 / (i + 1) })), { totalMs: 10_000 });
  writeFileSync(join(folder, 'prod.json'), serializeSnapshot(snapshot));
  writeFileSync(join(folder, 'pglens.json'), '{ "snapshot": "prod.json" }');
});

after(() => rmSync(folder, { recursive: true, force: true }));

test('statements production runs carry its numbers; the hover shows them', async () => {
  const workspace = await openWorkspace(folder, { allowEmbedded: false, env: {} });
  try {
    const text = [
      "const a = await pool.query('SELECT id, status FROM orders WHERE customer_id = $1', [id]);",
      "const b = await pool.query('SELECT id FROM orders WHERE status IN ($1, $2)', [x, y]);",
      "const c = await pool.query('SELECT id FROM orders WHERE total_cents > $1', [n]);",
    ].join('\n');
    const analysis = await workspace.engine.analyzeFile(join(folder, 'orders.ts'), text);
    assert.equal(analysis.statements.length, 3);
    const [a, b, c] = analysis.statements;
    assert.deepEqual({ calls: a.runtimeCost?.calls, share: a.runtimeCost?.shareOfTime }, { calls: 1240, share: 0.21 });
    assert.equal(b.runtimeCost?.calls, 2480);
    assert.equal(c.runtimeCost, undefined);
    const hover = hoverFor(analysis, { line: 0, character: 40 });
    const markdown = (hover?.contents as { value: string }).value;
    assert.match(markdown, /prod: 1,240 calls · mean 1\.7 ms · 21% of DB time \(statistics of 2026-12-01\)/);
  } finally {
    await workspace.close();
  }
});

test('a snapshot that cannot be read is one line for the CLI, a notice for the editor', async () => {
  writeFileSync(join(folder, 'broken.json'), '{ "format": "something-else" }');
  await assert.rejects(openWorkspace(folder, { allowEmbedded: false, env: {}, snapshotFile: 'broken.json', cwd: folder }), /broken\.json: not a pglens snapshot/);
  const editor = await openWorkspace(folder, { allowEmbedded: false, env: {}, snapshotFile: 'broken.json', cwd: folder, onConfigError: 'defaults' });
  assert.ok(editor.notices.some((notice) => /production snapshot not used: .*not a pglens snapshot/.test(notice)), editor.notices.join('\n'));
  assert.equal(editor.runtimeCosts, undefined);
  await editor.close();
});

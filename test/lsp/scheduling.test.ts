// When the server analyses: a burst of edits inside the debounce window is analysed once, for the last version;
// without debounce every superseded analysis is cancelled and nothing is published for a version the editor no
// longer holds, so diagnostics never go stale.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { createWorkspace, ORDERS_RANGE, ORDERS_TS, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

let workspace: FixtureWorkspace;
let url: string;

before(async () => {
  url = (await getSharedTestDatabase()).url;
  workspace = createWorkspace({ database: { url } });
});

after(() => workspace?.remove());

/** Line 3 of ORDERS_TS with the column of the WHERE clause replaced. */
function withColumn(column: string): string {
  return ORDERS_TS.replace('where note = ${note}', `where ${column} = \${note}`);
}
const NOTE_LINE = { start: { line: 3, character: 40 } };

test('a burst of edits within the debounce window is analysed once, for the last version', async () => {
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 300 } });
  try {
    const uri = workspace.write('burst.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.waitForDiagnostics(uri, { version: 1 });
    await client.analysisComplete(uri);
    const before = client.published.length;
    // Ten versions in a row, alternating an indexed (id) and an unindexed column (note); the last is `note`.
    let last = 1;
    let current = 'note';
    for (let i = 0; i < 10; i++) {
      const next = i % 2 === 0 ? 'id' : 'note';
      last = await client.change(uri, [{ range: { start: NOTE_LINE.start, end: { line: 3, character: 40 + current.length } }, text: next }]);
      current = next;
    }
    const published = await client.waitForDiagnostics(uri, { version: last, since: before });
    assert.equal(published.version, last);
    assert.deepEqual(published.diagnostics.map((d) => d.code), current === 'id' ? [] : ['seq-scan-large-table']);
    // Nothing was published for the nine superseded versions. The last one is published once as soon as its plans
    // are checked and, when its finding waited for new what-if planning, once more with the index suggestion.
    await new Promise((r) => setTimeout(r, 600));
    const after = client.published.slice(before).filter((p) => p.uri === uri);
    assert.ok(after.length >= 1 && after.length <= 2, `${after.length} publications`);
    assert.deepEqual([...new Set(after.map((p) => p.version))], [last]);
  } finally {
    await client.stop();
  }
});

test('without debounce, superseded analyses are cancelled: publications only ever match the version they name', async () => {
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 0 } });
  try {
    const uri = workspace.write('rapid.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.waitForDiagnostics(uri, { version: 1 });
    await client.analysisComplete(uri);
    const before = client.published.length;
    const columnByVersion = new Map<number, string>();
    let current = 'note';
    let last = 1;
    // Columns never planned before (distinct texts), so each version needs a new EXPLAIN that the next one cancels.
    const columns = ['status', 'currency', 'customer_email', 'shipping_country', 'note', 'user_id', 'account_id', 'total_cents', 'note'];
    await Promise.all(
      columns.map((column) => {
        const promise = client.change(uri, [{ range: { start: NOTE_LINE.start, end: { line: 3, character: 40 + current.length } }, text: column }]);
        current = column;
        last += 1;
        columnByVersion.set(last, column);
        return promise;
      }),
    );
    const final = await client.waitForDiagnostics(uri, { version: last, since: before, timeoutMs: 30_000 });
    assert.deepEqual(final.diagnostics.map((d) => [d.code, d.range]), [['seq-scan-large-table', ORDERS_RANGE]]);
    await new Promise((r) => setTimeout(r, 500));
    const publications = client.published.slice(before).filter((p) => p.uri === uri);
    // Versions only go up, the last publication is for the last version, and at most a few intermediate versions
    // got through (the ones whose analysis finished before the next edit reached the server).
    const versions = publications.map((p) => p.version!);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.equal(versions.at(-1), last);
    assert.ok(versions.length < columns.length, `published for ${versions.join(', ')}`);
    // Every publication describes its own version's text: the message names the column of that version.
    for (const publication of publications) {
      for (const diagnostic of publication.diagnostics) {
        assert.match(String(diagnostic.message), new RegExp(`where ${columnByVersion.get(publication.version!)} = \\$1`), `version ${publication.version}`);
      }
    }
  } finally {
    await client.stop();
  }
});

test('hover right after an edit waits for that version instead of answering from the old one', async () => {
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 20_000 } });
  try {
    const uri = workspace.write('hover.ts', ORDERS_TS);
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.waitForDiagnostics(uri, { version: 1 });
    await client.change(uri, [{ range: { start: NOTE_LINE.start, end: { line: 3, character: 44 } }, text: 'id' }]);
    // The debounce (20 s) has not run out; hover starts the analysis at once.
    const started = Date.now();
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 15 } });
    assert.ok(Date.now() - started < 15_000);
    assert.match(hover.contents.value, /Index Scan using orders_pkey on orders/);
  } finally {
    await client.stop();
  }
});

test('an edit right after opening cancels the first analysis without losing plans the next version shares', async () => {
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 0 } });
  try {
    for (let round = 0; round < 5; round++) {
      // Fresh statement texts each round, so the first analysis is really planning when the edit cancels it.
      const text = ORDERS_TS.replace('select * from orders', `select * /* round ${round} */ from orders`).replace(
        'select * from accounts where id',
        `select * /* round ${round} */ from accounts where id`,
      );
      const uri = workspace.write(`cancel-${round}.ts`, text);
      const before = client.published.length;
      await Promise.all([
        client.open(uri, 'typescript', text),
        // The accounts statement (line 7) changes; the orders statement (line 3) stays as it was.
        client.change(uri, [{ range: { start: { line: 7, character: text.split('\n')[7].indexOf('id =') }, end: { line: 7, character: text.split('\n')[7].indexOf('id =') + 2 } }, text: 'slug' }]),
      ]);
      const published = await client.waitForDiagnostics(uri, { version: 2, since: before });
      assert.deepEqual(
        published.diagnostics.map((d) => [d.code, d.range.start.line]),
        [['seq-scan-large-table', 3]],
        `round ${round}: ${JSON.stringify(published.diagnostics)}\n${client.logs.slice(-5).join('\n')}`,
      );
    }
  } finally {
    await client.stop();
  }
});

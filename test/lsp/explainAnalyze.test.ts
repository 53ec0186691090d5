// pglens/explainAnalyze through the real language server: a statement that may do more than read comes back with
// a confirmation request naming what it may do, and nothing of it ran (counted in the database: rows, sequence,
// advisory locks); plain reads run at once, READ ONLY; a confirmed statement runs on a connection of its own whose
// session state (an advisory lock) ends with it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExplainAnalyzeResult } from '../../server/src/lsp/protocol';
import { createSideEffectsDatabase, type SideEffectsDatabase } from '../harness/sideEffectsDatabase';
import { createWorkspace, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

const SCRIPT = [
  'select audit_fn();',
  'select "nextval"(\'s\');',
  "select dblink_exec('dbname=postgres', 'insert into audit_log (note) values (''remote'')');",
  'select pg_terminate_backend(pg_backend_pid());',
  'select pg_advisory_lock(4242);',
  'with x as (select audit_fn() as v) select * from x;',
  'select * from audit_view;',
  "select lower('X'), now(), count(*) from audit_log;",
  'select stable_wrapper();',
  'select id from audit_log order by PG_CATALOG.NEXTVAL(\'s\') limit 1;',
].join('\n');

/** The reason each line's confirmation must carry. */
const EXPECTED: [line: number, reason: RegExp][] = [
  [0, /^calls volatile function public\.audit_fn\(\) which may write data$/],
  [1, /^nextval advances a sequence, the rollback does not undo it$/],
  [2, /^(dblink_exec can commit on another server, the rollback cannot undo it|calls dblink_exec\(\), which pglens cannot find)/],
  [3, /^pg_terminate_backend ends another session's connection$/],
  [4, /^pg_advisory_lock holds a session lock, which outlives the rollback$/],
  [5, /^calls volatile function public\.audit_fn\(\)/],
  [6, /^reads audit_view, which calls volatile function public\.audit_fn\(\)/],
  [9, /^nextval advances a sequence/],
];

let fixture: SideEffectsDatabase;
let workspace: FixtureWorkspace;
let client: LspTestClient;
let uri: string;

before(async () => {
  fixture = await createSideEffectsDatabase();
  workspace = createWorkspace({ database: { url: fixture.url } });
  client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 50 } });
  uri = workspace.write('side-effects.sql', SCRIPT);
  await client.open(uri, 'sql', SCRIPT);
  await client.waitForDiagnostics(uri, { version: 1 });
});

after(async () => {
  await client?.stop();
  workspace?.remove();
  await fixture?.drop();
});

/** Asks about the statement on `line`; `confirmed` answers the question as a person would, naming the statement seen. */
const explainAnalyze = async (line: number, confirmed?: boolean) => {
  const position = { line, character: 3 };
  const asked = await client.request<ExplainAnalyzeResult>('pglens/explainAnalyze', { uri, position });
  if (!confirmed || !asked.needsConfirmation) return asked;
  return client.request<ExplainAnalyzeResult>('pglens/explainAnalyze', { uri, position, confirmed, confirmedStatement: asked.statement });
};

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

test('every statement with a side effect gets a confirmation naming it, and nothing of it runs', async () => {
  const before = await fixture.counters();
  for (const [line, reason] of EXPECTED) {
    const result = await explainAnalyze(line);
    assert.ok(result.needsConfirmation, `line ${line}: ${JSON.stringify(result)}`);
    assert.ok(result.needsConfirmation.reasons.some((r) => reason.test(r)), `line ${line}: ${JSON.stringify(result.needsConfirmation.reasons)}`);
    assert.match(result.needsConfirmation.reason, /EXPLAIN ANALYZE executes it on a connection of its own/);
    assert.equal(result.root, undefined);
    assert.equal(result.error, undefined);
  }
  assert.deepEqual(await fixture.counters(), before, 'audit rows, sequence and advisory locks as they were');
});

test('a plain SELECT of immutable and stable functions runs without confirmation and changes nothing', async () => {
  const before = await fixture.counters();
  const result = await explainAnalyze(7);
  assert.equal(result.needsConfirmation, undefined);
  assert.equal(result.error, undefined);
  assert.equal(typeof result.executionTimeMs, 'number');
  assert.ok(result.root && typeof result.root.actualRows === 'number');
  assert.deepEqual(await fixture.counters(), before);
});

test('a write hidden in a STABLE function (not seen by the look-up) fails, because an unconfirmed run is READ ONLY', async () => {
  const before = await fixture.counters();
  const result = await explainAnalyze(8);
  assert.equal(result.needsConfirmation, undefined);
  assert.match(result.error ?? JSON.stringify(result), /read-only transaction/);
  assert.deepEqual(await fixture.counters(), before);
});

test('confirmed, a volatile function really runs (actual rows) and its write is rolled back', async () => {
  const before = await fixture.counters();
  const result = await explainAnalyze(0, true);
  assert.equal(result.error, undefined);
  assert.equal(result.root?.actualRows, 1);
  assert.equal((await fixture.counters()).auditRows, before.auditRows);
});

test('confirmed, pg_advisory_lock runs on a connection of its own: its session lock ends when that connection closes', async () => {
  const before = await fixture.counters();
  const result = await explainAnalyze(4, true);
  assert.equal(result.error, undefined);
  assert.equal(result.root?.actualRows, 1);
  // The server releases a closed connection's locks as its backend exits, a moment after the client hung up.
  const after = await waitFor(() => fixture.counters(), (c) => c.advisoryLocks === before.advisoryLocks);
  assert.equal(after.advisoryLocks, before.advisoryLocks);
});

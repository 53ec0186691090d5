// EXPLAIN ANALYZE of statements with parameters through the real language server and the harness's PostgreSQL:
// without values the server names each $n with the type PostgreSQL infers and the `${expression}` it came from; with
// values (sent as workspace/executeCommand arguments, as Neovim and Emacs do) they are bound as parameters and the
// plan shows actual rows; a bad value is one line naming the parameter; a DELETE asks first and is rolled back (the
// row count is unchanged); a shorter timeout ends a slow statement.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzedPlanNode, ExplainAnalyzeParams, ExplainAnalyzeResult } from '../../server/src/lsp/protocol';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { createWorkspace, type FixtureWorkspace } from './fixtureWorkspace';
import { LspTestClient } from './lspTestClient';

const SOURCE = `import { sql } from './db';

export const fromId = (userId: number, limit: number) => sql\`select id, name from members where id >= \${userId} order by id limit \${limit}\`;
export const named = (name: string) => sql\`select count(*) from members where name = \${name}\`;
export const purge = (upTo: number) => sql\`delete from members where id <= \${upTo}\`;
export const slow = (seconds: number) => sql\`select pg_sleep(\${seconds}) from members where id = 1\`;
`;
const LINE = { fromId: 2, named: 3, purge: 4, slow: 5 };

let database: TestFileDatabase;
let workspace: FixtureWorkspace;
let client: LspTestClient;
let uri: string;

before(async () => {
  database = await openTestFileDatabase('pglens_explain_values');
  await database.client.query(`create table members (id integer primary key, name text not null);
    insert into members select g, 'member ' || g from generate_series(1, 100) g; analyze members;`);
  workspace = createWorkspace({ database: { url: database.url } });
  client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 50 } });
  workspace.write('db.ts', 'export const sql = (..._: unknown[]) => undefined;\n');
  uri = workspace.write('members.ts', SOURCE);
  await client.open(uri, 'typescript', SOURCE);
  await client.analysisComplete(uri);
});

after(async () => {
  await client?.stop();
  workspace?.remove();
  await database?.drop();
});

/** workspace/executeCommand, the way an editor without pglens's own requests calls it. */
const explainAnalyze = (line: number, extra: Omit<ExplainAnalyzeParams, 'uri' | 'position'> = {}) =>
  client.request<ExplainAnalyzeResult>('workspace/executeCommand', {
    command: 'pglens.server.explainAnalyze',
    arguments: [{ uri, position: { line, character: 70 }, ...extra }],
  });

const memberCount = async () => Number((await database.client.query('select count(*) as n from members')).rows[0].n);

function findNode(node: AnalyzedPlanNode, label: RegExp): AnalyzedPlanNode | undefined {
  if (label.test(node.label)) return node;
  for (const child of node.children) {
    const found = findNode(child, label);
    if (found) return found;
  }
  return undefined;
}

test('without values: each parameter with the type PostgreSQL infers and the expression it came from', async () => {
  const result = await explainAnalyze(LINE.fromId);
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.root, undefined);
  assert.deepEqual(result.needsValues?.parameters, [
    { index: 1, type: 'integer', source: '${userId}' },
    { index: 2, type: 'bigint', source: '${limit}' },
  ]);
  assert.match(result.needsValues?.fingerprint ?? '', /^[0-9a-f]{40}$/);
});

test('with values: bound as parameters, executed read-only, the plan shows actual rows and the values', async () => {
  const result = await explainAnalyze(LINE.fromId, { values: ['10', 5] });
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.needsConfirmation, undefined);
  assert.equal(result.root?.actualRows, 5, JSON.stringify(result.root));
  assert.deepEqual(result.parameters, [
    { index: 1, type: 'integer', source: '${userId}', value: '10' },
    { index: 2, type: 'bigint', source: '${limit}', value: '5' },
  ]);
  assert.match(result.markdown ?? '', /`\$1` \(integer, from `\$\{userId\}`\) = `10`/);
});

test('text values are bound, not pasted into the SQL: a quote is just a character', async () => {
  const result = await explainAnalyze(LINE.named, { values: ["member 7' or '1'='1"] });
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(findNode(result.root!, /Seq Scan|Index/)?.actualRows, 0);
  const seven = await explainAnalyze(LINE.named, { values: ['member 7'] });
  assert.equal(findNode(seven.root!, /Seq Scan|Index/)?.actualRows, 1);
});

test('a value its type does not accept is one line naming the parameter, and nothing runs', async () => {
  const before = await memberCount();
  const bad = await explainAnalyze(LINE.fromId, { values: ['10', 'abc'] });
  assert.equal(bad.error, "$2 (bigint): 'abc' is not an integer");
  assert.equal(bad.root, undefined);
  // A DELETE with a bad value: the value is refused before the person is asked to confirm, and confirmed as well.
  const unconfirmed = await explainAnalyze(LINE.purge, { values: ['1; drop table members'] });
  assert.equal(unconfirmed.needsConfirmation, undefined);
  assert.equal(unconfirmed.error, "$1 (integer): '1; drop table members' is not an integer");
  const statement = (await explainAnalyze(LINE.purge, { values: ['1'] })).statement;
  const refused = await explainAnalyze(LINE.purge, { values: ['1; drop table members'], confirmed: true, confirmedStatement: statement });
  assert.equal(refused.error, "$1 (integer): '1; drop table members' is not an integer");
  const outOfRange = await explainAnalyze(LINE.fromId, { values: ['99999999999', '1'] });
  assert.equal(outOfRange.error, "$1 (integer): '99999999999' is out of range for integer");
  const count = await explainAnalyze(LINE.fromId, { values: ['1'] });
  assert.equal(count.error, 'The statement has 2 parameter(s) ($1…$2); 1 value(s) were given.');
  assert.equal(await memberCount(), before);
});

test('a DELETE with a value asks first, then runs with actual rows inside a transaction that is rolled back', async () => {
  const before = await memberCount();
  const asked = await explainAnalyze(LINE.purge, { values: ['50'] });
  assert.ok(asked.needsConfirmation, JSON.stringify(asked));
  assert.equal(await memberCount(), before);
  const result = await explainAnalyze(LINE.purge, { values: ['50'], confirmed: true, confirmedStatement: asked.statement });
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.match(result.root?.label ?? '', /Delete/);
  assert.equal(findNode(result.root!, /Scan/)?.actualRows, 50, JSON.stringify(result.root));
  assert.equal(await memberCount(), before, 'the deleted rows are back: the transaction was rolled back');
});

test('a shorter timeout ends a slow statement with PostgreSQL statement timeout', async () => {
  const asked = await explainAnalyze(LINE.slow, { values: ['30'] });
  assert.ok(asked.needsConfirmation, JSON.stringify(asked));
  const result = await explainAnalyze(LINE.slow, { values: ['30'], confirmed: true, confirmedStatement: asked.statement, timeoutMs: 300 });
  assert.match(result.error ?? JSON.stringify(result), /statement timeout/);
  // The session that timed out is gone with its connection; the next run works.
  const after = await explainAnalyze(LINE.fromId, { values: ['1', '1'] });
  assert.equal(after.root?.actualRows, 1);
});

test('in a .sql file: $n written in the SQL has no source; a type PostgreSQL cannot infer is unknown, and said so when run', async () => {
  const script = 'select count(*) from members where id > $1;\nselect $1 is null from members;\n';
  const sqlUri = workspace.write('adhoc.sql', script);
  await client.open(sqlUri, 'sql', script);
  await client.analysisComplete(sqlUri);
  const ask = (line: number, extra: Omit<ExplainAnalyzeParams, 'uri' | 'position'> = {}) =>
    client.request<ExplainAnalyzeResult>('workspace/executeCommand', {
      command: 'pglens.server.explainAnalyze',
      arguments: [{ uri: sqlUri, position: { line, character: 3 }, ...extra }],
    });
  assert.deepEqual((await ask(0)).needsValues?.parameters, [{ index: 1, type: 'integer' }]);
  const counted = await ask(0, { values: ['90'] });
  assert.equal(findNode(counted.root!, /Scan/)?.actualRows, 10, JSON.stringify(counted));
  assert.deepEqual((await ask(1)).needsValues?.parameters, [{ index: 1, type: 'unknown' }]);
  assert.match((await ask(1, { values: ['x'] })).error ?? '', /could not determine data type of parameter \$1/);
});


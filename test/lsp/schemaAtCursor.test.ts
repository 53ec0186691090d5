// Schema at the cursor: hover on a table or column name inside SQL (.sql and TS) and completion of table and column
// names, from the schema facts of the last analysis (no database round trip per request).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openAnalysed, workspaceWithServer, type FixtureWorkspace } from './fixtureWorkspace';
import type { LspTestClient } from './lspTestClient';

interface CompletionItem {
  label: string;
  kind?: number;
  detail?: string;
}

let workspace: FixtureWorkspace;
let client: LspTestClient;

before(async () => {
  ({ workspace, client } = await workspaceWithServer());
});

after(async () => {
  await client?.stop();
  workspace?.remove();
});

const openAndAnalyse = (name: string, languageId: string, text: string) => openAnalysed(workspace, client, name, languageId, text);

const hoverText = async (uri: string, line: number, character: number) =>
  (await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } }))?.contents.value ?? '';

test('hover on a table name shows its size, row estimate, columns and indexes; on a column its type and indexes', async () => {
  const sql = "select c.name from countries c where c.region = 'EU';\nselect id from accounts a where a.country_code = 'FR';\n";
  const uri = await openAndAnalyse('schema.sql', 'sql', sql);
  const table = await hoverText(uri, 0, 20);
  assert.match(table, /^\*\*pglens · table public\.countries\*\* · \d+ rows \(estimate\) · [\d.]+ MB/);
  assert.match(table, /`code` character\(2\)/);
  assert.match(table, /CREATE UNIQUE INDEX countries_pkey ON public\.countries USING btree \(code\)/);
  // The table's hover comes before the plan of its statement.
  assert.ok(table.indexOf('pglens · table') < table.indexOf('pglens · plan'), table);

  const column = await hoverText(uri, 0, 42);
  assert.match(column, /^\*\*pglens · column countries\.region\*\* · text NOT NULL/);
  assert.match(column, /No index covers region: a lookup by it scans the table\./);
  const indexed = await hoverText(uri, 1, 36);
  assert.match(indexed, /^\*\*pglens · column accounts\.country\\_code\*\* · character\(2\) NOT NULL/);
});

test('hover on a table name inside SQL in TypeScript', async () => {
  const source = "import { sql } from './db';\nexport const all = () => sql`select code from countries`;\n";
  const uri = await openAndAnalyse('countries.ts', 'typescript', source);
  assert.match(await hoverText(uri, 1, 50), /pglens · table public\.countries/);
  // Outside the SQL, a word that happens to name a table is not looked up.
  const outside = "import { sql } from './db';\nconst countries = 1;\nexport const one = () => sql`select 1`;\n";
  const outsideUri = await openAndAnalyse('outside.ts', 'typescript', outside);
  assert.doesNotMatch(await hoverText(outsideUri, 1, 8), /pglens · table/);
});

test('completion offers tables after FROM and the columns of an aliased table after `alias.`', async () => {
  const text = 'select a.id from accounts a where a.status = 1;\n';
  const uri = await openAndAnalyse('complete.sql', 'sql', text);
  // After `a.` (line 0, character 35): the columns of accounts.
  const columns = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 36 } });
  const labels = columns.map((c) => c.label);
  for (const name of ['id', 'name', 'slug', 'country_code', 'status']) assert.ok(labels.includes(name), labels.join(', '));
  assert.ok(!labels.includes('region'));
  assert.match(columns.find((c) => c.label === 'country_code')!.detail!, /^accounts\.country_code character\(2\) NOT NULL$/);

  // A statement being typed (it does not parse): after FROM, the tables with their size.
  const before = client.published.length;
  const version = await client.change(uri, [{ text: 'select * from \n' }]);
  await client.waitForDiagnostics(uri, { version, since: before });
  const tables = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 14 } });
  const countries = tables.find((t) => t.label === 'countries');
  assert.ok(countries, tables.map((t) => t.label).join(', '));
  assert.match(countries.detail!, /^public\.countries · \d+ rows · [\d.]+ MB$/);
  assert.ok(tables.some((t) => t.label === 'orders'));
});

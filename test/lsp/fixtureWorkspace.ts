// A throw-away workspace folder for the protocol tests: a pglens.json pointing at the shared test database and
// source files that query the fixture schema (test/fixtures/app/schema.sql).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getSharedTestDatabase } from '../harness/postgres';
import { LspTestClient, pathToUri } from './lspTestClient';

/** orders.note has no index and ~300k rows: a seq scan the rule must report, anchored on `orders` (line 3). */
export const ORDERS_TS = `import { sql } from './db';

export async function ordersByNote(note: string) {
  return sql\`select * from orders where note = \${note}\`;
}

export async function accountById(id: number) {
  return sql\`select * from accounts where id = \${id}\`;
}
`;
/** Where `orders` is in ORDERS_TS. */
export const ORDERS_RANGE = { start: { line: 3, character: 27 }, end: { line: 3, character: 33 } };

export const ORDERS_SQL = `-- reports
select id, status from orders where note = 'gift';

select * from countries where code = 'FR';
`;
export const ORDERS_SQL_RANGE = { start: { line: 1, character: 23 }, end: { line: 1, character: 29 } };

export interface FixtureWorkspace {
  dir: string;
  uri(name: string): string;
  write(name: string, text: string): string;
  writeConfig(config: Record<string, unknown>): string;
  remove(): void;
}

export function createWorkspace(config: Record<string, unknown> | undefined): FixtureWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-lsp-'));
  const workspace: FixtureWorkspace = {
    dir,
    uri: (name) => pathToUri(join(dir, name)),
    write(name, text) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
      return pathToUri(join(dir, name));
    },
    writeConfig(value) {
      return workspace.write('pglens.json', `// written by the protocol tests\n${JSON.stringify(value, null, 2)}\n`);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  if (config) workspace.writeConfig(config);
  return workspace;
}

/** A workspace on the shared test database and a client of a server started in it (debounce 50 ms), for before(). */
export async function workspaceWithServer(): Promise<{ workspace: FixtureWorkspace; client: LspTestClient }> {
  const db = await getSharedTestDatabase();
  const workspace = createWorkspace({ database: { url: db.url } });
  const client = await LspTestClient.start({ rootDir: workspace.dir, settings: { debounceMs: 50 } });
  return { workspace, client };
}

/** Writes a file, opens it in the server and waits until its analysis is complete (index advice included); its URI. */
export async function openAnalysed(workspace: FixtureWorkspace, client: LspTestClient, name: string, languageId: string, text: string): Promise<string> {
  const uri = workspace.write(name, text);
  await client.open(uri, languageId, text);
  await client.waitForDiagnostics(uri, { version: 1 });
  await client.analysisComplete(uri);
  return uri;
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => lineStarts[p.line] + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((result, edit) => result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end)), text);
}

// Production's runtime numbers in the editor, through a real LSP client and the built server: the CodeLens above a
// statement production runs (from a snapshot file), and live mode (`production.url`) on a PostgreSQL 15 with
// pg_stat_statements loaded: numbers refresh after more queries run, the password given in memory appears in no
// message, and a production that goes away is one line while the last numbers stay.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { startEphemeralPostgres, type EphemeralPostgres } from '../harness/postgres';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import { readProductionStatements } from '../../server/src/engine/snapshot/read';
import { loadPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { serializeSnapshot } from '../../server/src/engine/snapshot/format';
import { statementsSnapshot } from '../snapshot/statementsSnapshot';
import { LspTestClient } from './lspTestClient';

const QUERY = 'SELECT id, status FROM orders WHERE customer_id = $1';
const ORDERS_TS = `export async function ordersOf(db: any, customer: number) {\n  return db.query('${QUERY}', [customer]);\n}\n`;
const READER_PASSWORD = 'Pr0d-reader-S3cret-xyzzy';

let cluster: EphemeralPostgres | undefined;
let scratch: string;

before(async () => {
  await loadPgQuery();
  scratch = mkdtempSync(join(tmpdir(), 'pglens-prod-lsp-'));
});

after(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function workspace(name: string, config: unknown): { dir: string; uri: string } {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pglens.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(dir, 'orders.ts'), ORDERS_TS);
  return { dir, uri: pathToFileURL(join(dir, 'orders.ts')).toString() };
}

/** Asks for the lenses until one has a title matching `pattern` (the server answers from its last analysis). */
async function lensMatching(client: LspTestClient, uri: string, pattern: RegExp): Promise<CodeLens> {
  const started = Date.now();
  for (;;) {
    const lenses = await client.request<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } });
    const lens = (lenses ?? []).find((l) => pattern.test(l.command?.title ?? ''));
    if (lens) return lens;
    if (Date.now() - started > 60_000) throw new Error(`no lens matching ${pattern}; last: ${JSON.stringify(lenses)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('CodeLens above a statement production runs, from a snapshot; refresh asked when the numbers arrive', async () => {
  const snapshot = statementsSnapshot([{ query: QUERY, calls: 12_400, totalMs: 472_440 }], { totalMs: 2_249_714, statsReset: '2026-12-01T11:50:00.000Z' });
  const { dir, uri } = workspace('snapshot', { snapshot: 'prod.json' });
  writeFileSync(join(dir, 'prod.json'), serializeSnapshot(snapshot));
  const client = await LspTestClient.start({ rootDir: dir, settings: {}, initializationOptions: { allowEmbedded: false }, env: { DATABASE_URL: '' } });
  try {
    assert.deepEqual(client.initializeResult.capabilities.codeLensProvider, { resolveProvider: false });
    // Asked before the analysis is in: nothing yet, and the server asks the client to come back when there is.
    await client.request('textDocument/codeLens', { textDocument: { uri } }).catch(() => undefined);
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.analysisComplete(uri);
    await client.waitFor('codeLens refresh', () => (client.codeLensRefreshes > 0 ? true : undefined));
    const lens = await lensMatching(client, uri, /^prod:/);
    assert.equal(lens.command?.title, 'prod: 1,240 calls/min · mean 38 ms · 21% of DB time');
    assert.equal(lens.range.start.line, 1);
    const status = await client.waitForStatus((s) => (s.folders as Array<{ production?: { source: string } }>).some((f) => f.production?.source === 'snapshot'));
    assert.deepEqual((status.folders as Array<{ production?: unknown }>)[0].production, { source: 'snapshot', takenAt: '2026-12-01T12:00:00.000Z' });
  } finally {
    await client.stop();
  }
});

test('live mode: numbers refresh after more queries, the password is in no message, unreachable is one line and the last numbers stay', async () => {
  cluster = await startEphemeralPostgres({ database: 'shop', extraConfig: ["shared_preload_libraries = 'pg_stat_statements'"] });
  const admin = new Client({ connectionString: cluster.superuserUrl });
  await admin.connect();
  try {
    await admin.query('create extension pg_stat_statements');
    await admin.query(`create role prod_reader login password '${READER_PASSWORD}'`);
    await admin.query('grant pg_read_all_stats to prod_reader');
    await admin.query('create table orders (id int primary key, customer_id int not null, status text not null)');
    await admin.query("insert into orders select g, g % 10, 'paid' from generate_series(1, 100) g");
    await admin.query('grant select on orders to app');
    await admin.query('select pg_stat_statements_reset()');
  } finally {
    await admin.end();
  }
  const app = new Client({ connectionString: cluster.url });
  await app.connect();
  const send = async (times: number) => {
    for (let i = 0; i < times; i++) await app.query(QUERY, [i % 10]);
  };
  // The URL names the user but no password: the password comes in memory, as VS Code's secret storage gives it.
  const readerUrl = `postgres://prod_reader@127.0.0.1:${cluster.port}/shop`;
  const { dir, uri } = workspace('live', { production: { url: readerUrl, refreshSeconds: 3600 } });
  const client = await LspTestClient.start({ rootDir: dir, settings: {}, initializationOptions: { allowEmbedded: false, productionPassword: READER_PASSWORD }, env: { DATABASE_URL: '' } });
  try {
    await send(50);
    await client.open(uri, 'typescript', ORDERS_TS);
    // The first read happens when the folder opens; ask again now that the 50 calls are in.
    await client.request('pglens/refreshProduction', {});
    // Counted for less than a minute: total calls, not a rate.
    await lensMatching(client, uri, /^prod: 50 calls · mean .* of DB time$/);
    const live = await client.waitForStatus((s) => (s.folders as Array<{ production?: { source: string } }>).some((f) => f.production?.source === 'live'));
    const liveTakenAt = (live.folders as Array<{ production: { takenAt: string } }>)[0].production.takenAt;
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 30 } });
    assert.match(hover.contents.value, /prod: 50 calls · mean .* \(live, read \d\d:\d\d UTC\)/);

    // What each read sees: the period pg_stat_statements has counted for (PostgreSQL 14+), read in a read-only transaction.
    const direct = await connectPostgres(`postgres://prod_reader:${encodeURIComponent(READER_PASSWORD)}@127.0.0.1:${cluster.port}/shop`, { maxConnections: 1 });
    try {
      const read = await readProductionStatements(direct, { limits: { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 } });
      assert.ok(read.statements.statsReset && Date.parse(read.takenAt) - Date.parse(read.statements.statsReset) < 10 * 60_000, JSON.stringify(read.statements.statsReset));
    } finally {
      await direct.close();
    }

    await send(70);
    const answer = await client.request<Array<{ production: { source: string } }>>('pglens/refreshProduction', {});
    assert.equal(answer[0].production.source, 'live');
    await lensMatching(client, uri, /^prod: 120 calls · /);

    // Production goes away: one line, the numbers of the last read stay (lens, hover says how old).
    await app.end();
    await cluster.stop();
    cluster = undefined;
    await client.request('pglens/refreshProduction', {});
    await client.request('pglens/refreshProduction', {});
    const down = await client.waitForStatus((s) => (s.folders as Array<{ production?: { source: string } }>).some((f) => f.production?.source === 'unreachable'));
    const production = (down.folders as Array<{ production: { source: string; reason: string; takenAt?: string } }>)[0].production;
    assert.ok(production.takenAt && production.takenAt >= liveTakenAt, JSON.stringify(production));
    const lines = client.logs.filter((line) => /production database unreachable/.test(line));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /production database unreachable: .*; keeping the numbers read at /);
    await lensMatching(client, uri, /^prod: 120 calls · /);
    const stale = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 30 } });
    assert.match(stale.contents.value, /prod: unreachable \(.*\); numbers of \d\d:\d\d UTC, (just now|\d+ min ago)/);

    // The password appears nowhere the server said anything.
    const everything = JSON.stringify({ logs: client.logs, statuses: client.statuses, stderr: client.stderr, published: client.published, hover: [hover, stale] });
    assert.ok(!everything.includes(READER_PASSWORD), 'the production password leaked into a message');
  } finally {
    await client.stop();
    await app.end().catch(() => undefined);
  }
});

test('an untrusted workspace cannot turn live mode on: production.url of pglens.json is ignored', async () => {
  const { dir, uri } = workspace('untrusted', { production: { url: 'postgres://prod_reader@127.0.0.1:1/shop' } });
  const client = await LspTestClient.start({ rootDir: dir, settings: {}, initializationOptions: { allowEmbedded: false, trusted: false, productionPassword: READER_PASSWORD }, env: { DATABASE_URL: '' } });
  try {
    await client.open(uri, 'typescript', ORDERS_TS);
    await client.analysisComplete(uri);
    await client.request('pglens/refreshProduction', {});
    const status = await client.waitForStatus((s) => (s.folders as Array<{ state: string }>).some((f) => f.state !== 'starting'));
    assert.deepEqual((status.folders as Array<{ production?: unknown }>).map((f) => f.production), [undefined]);
    assert.deepEqual(client.logs.filter((line) => /production/.test(line)), []);
  } finally {
    await client.stop();
  }
});

// The production snapshot end to end, on a real PostgreSQL 15 with pg_stat_statements loaded
// (shared_preload_libraries): examples/shop's schema and rows, its queries sent a few hundred times the way the
// application sends them; then `pglens snapshot` (what it keeps, what it leaves out), `pglens top` (which line of
// examples/shop sends each expensive statement) and `check --snapshot` (production's numbers beside the findings).
// embeddedPlans.test.ts compares the plans of the embedded database described by a snapshot.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEphemeralPostgres, type EphemeralPostgres } from '../harness/postgres';
import { loadShopDatabase, runShopWorkload, SHOP_DIR, SHOP_QUERIES } from '../harness/shopDatabase';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import { readProductionSnapshot } from '../../server/src/engine/snapshot/read';
import { serializeSnapshot, type ProductionSnapshot } from '../../server/src/engine/snapshot/format';
import { runSnapshotCommand } from '../../server/src/cli/snapshotCommand';
import { runTopCommand } from '../../server/src/cli/topCommand';
import { runCheckCommand } from '../../server/src/cli/checkCommand';

const WORKLOAD_ROUNDS = 200;
const LIMITS = { statementTimeoutMs: 30_000, lockTimeoutMs: 1_000 };

let cluster: EphemeralPostgres;
let scratch: string;

before(async () => {
  cluster = await startEphemeralPostgres({ database: 'shop', extraConfig: ["shared_preload_libraries = 'pg_stat_statements'"] });
  scratch = mkdtempSync(join(tmpdir(), 'pglens-snapshot-'));
  const admin = new Client({ connectionString: cluster.superuserUrl });
  await admin.connect();
  try {
    await admin.query('create extension pg_stat_statements');
    // Statement texts of other roles are hidden without it (a production role for pglens gets the same grant).
    await admin.query('grant pg_read_all_stats to app');
  } finally {
    await admin.end();
  }
  const resetStatements = async () => {
    const superuser = new Client({ connectionString: cluster.superuserUrl });
    await superuser.connect();
    await superuser.query('select pg_stat_statements_reset()').finally(() => superuser.end());
  };
  const app = new Client({ connectionString: cluster.url, application_name: 'shop' });
  await app.connect();
  try {
    // A fifth of the example's volumes (60k orders: enough for the seq-scan finding check --snapshot annotates).
    await loadShopDatabase(app, 0.2);
    await resetStatements();
    await runShopWorkload(app, WORKLOAD_ROUNDS);
  } finally {
    await app.end();
  }
});

after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await cluster?.stop();
});

async function snapshotOf(withValues: boolean): Promise<ProductionSnapshot> {
  const database = await connectPostgres(cluster.url, { maxConnections: 1, sessionLimits: LIMITS });
  try {
    return await readProductionSnapshot(database, { withValues, limits: LIMITS, now: new Date('2026-12-01T12:00:00Z') });
  } finally {
    await database.close();
  }
}

function capture(): { io: Parameters<typeof runSnapshotCommand>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) => ({ write: (chunk: string | Uint8Array) => (append(String(chunk)), true) }) as unknown as NodeJS.WritableStream;
  return {
    io: { stdout: stream((s) => (out += s)), stderr: stream((s) => (err += s)), env: {}, cwd: scratch },
    out: () => out,
    err: () => err,
  };
}

describe('pglens snapshot', () => {
  test('keeps sizes and statistics; by default no value of a personal column (email, name, description)', async () => {
    const snapshot = await snapshotOf(false);
    const text = serializeSnapshot(snapshot);
    assert.doesNotMatch(text, /@example\.com/, 'an email address reached the snapshot');
    assert.doesNotMatch(text, /Customer Number/, 'a customer name reached the snapshot');
    assert.doesNotMatch(text, /About product/, 'a product description reached the snapshot');
    const customers = snapshot.relations.find((r) => r.name === 'customers')!;
    const email = customers.columns.find((c) => c.name === 'email')!;
    assert.equal(email.mostCommonVals, undefined);
    assert.equal(email.histogramBounds, undefined);
    assert.match(email.valuesDropped ?? '', /personal/);
    assert.ok(email.nDistinct !== 0 && email.avgWidth > 0, 'the distribution without the values is kept');
    assert.ok(snapshot.privacy.valuesDropped.includes('public.customers.email: the name says personal data or free text'));
    // Status-like columns keep their values: the planner's skew.
    const orders = snapshot.relations.find((r) => r.name === 'orders')!;
    assert.match(orders.columns.find((c) => c.name === 'status')!.mostCommonVals ?? '', /delivered/);
    assert.match(customers.columns.find((c) => c.name === 'country')!.mostCommonVals ?? '', /US/);
    assert.match(snapshot.relations.find((r) => r.name === 'events')!.columns.find((c) => c.name === 'kind')!.mostCommonVals ?? '', /page_view/);
    assert.ok(orders.columns.find((c) => c.name === 'created_at')!.histogramBounds, 'timestamps keep their bounds');
    assert.ok(orders.tuples > 50_000 && orders.pages > 300, `orders: ${orders.tuples} rows, ${orders.pages} pages`);
    const index = snapshot.relations.find((r) => r.name === 'events_customer_id_idx')!;
    assert.equal(index.kind, 'index');
    assert.equal(index.table, 'events');
    assert.equal(snapshot.server.versionNum >= 150000, true);
    assert.ok('random_page_cost' in snapshot.settings && 'work_mem' in snapshot.settings && 'enable_seqscan' in snapshot.settings);
    // pg_stat_statements: the shop's statements, none of this snapshot's own catalogue reads.
    assert.equal(snapshot.statements.available, true);
    assert.ok(snapshot.statements.entries.length >= SHOP_QUERIES.length);
    assert.ok(snapshot.statements.entries.every((e) => !/pg_class|pg_stats|pg_settings/.test(e.query)));
  });

  test('--with-values keeps every column\'s values; the same database gives the same file', async () => {
    const withValues = serializeSnapshot(await snapshotOf(true));
    assert.match(withValues, /@example\.com/);
    const a = await snapshotOf(false);
    const b = await snapshotOf(false);
    // pg_stat_statements counts this test's own statements meanwhile: the statistics part must be identical.
    assert.deepEqual({ ...a, statements: undefined }, { ...b, statements: undefined });
  });

  test('the command writes the file whole; an unreachable database is one line and exit 2', async () => {
    const file = join(scratch, 'prod.json');
    const ok = capture();
    assert.equal(await runSnapshotCommand(['--db', cluster.url, '--out', file], ok.io), 0, ok.err());
    const written = JSON.parse(readFileSync(file, 'utf8')) as ProductionSnapshot;
    assert.equal(written.format, 'pglens-snapshot');
    assert.equal(written.version, 1);
    const bad = capture();
    assert.equal(await runSnapshotCommand(['--db', 'postgres://app:pw@127.0.0.1:1/shop', '--out', join(scratch, 'no.json')], bad.io), 2);
    assert.equal(bad.err().trim().split('\n').length, 1, bad.err());
    assert.doesNotMatch(bad.err(), /pw@/);
  });
});

describe('pglens top', () => {
  test('maps the most expensive statements to the line of examples/shop that sends each', async () => {
    const file = join(scratch, 'top.json');
    const snap = capture();
    assert.equal(await runSnapshotCommand(['--db', cluster.url, '--out', file], snap.io), 0, snap.err());
    const top = capture();
    assert.equal(await runTopCommand([SHOP_DIR, '--snapshot', file, '--format', 'json', '--limit', String(SHOP_QUERIES.length)], top.io), 0, top.err());
    const result = JSON.parse(top.out()) as { statements: Array<{ query: string; calls: number; sites: Array<{ file: string; line: number }> }> };
    assert.equal(result.statements.length, SHOP_QUERIES.length);
    const expected = new Set(SHOP_QUERIES.map((q) => q.site));
    const mapped = result.statements.filter((s) => s.sites.length === 1 && expected.has(`${s.sites[0].file}:${s.sites[0].line}`));
    const wrong = result.statements.filter((s) => !mapped.includes(s)).map((s) => `${s.query} -> ${JSON.stringify(s.sites)}`);
    assert.ok(mapped.length / result.statements.length >= 0.9, `mapped ${mapped.length} of ${result.statements.length}; not: ${wrong.join('; ')}`);
    // Each of the shop's statements at its own line, with the calls it was sent.
    assert.deepEqual(new Set(mapped.map((s) => `${s.sites[0].file}:${s.sites[0].line}`)).size, mapped.length);
    assert.ok(mapped.every((s) => s.calls === WORKLOAD_ROUNDS), JSON.stringify(mapped.map((s) => s.calls)));

    const text = capture();
    assert.equal(await runTopCommand([SHOP_DIR, '--snapshot', file, '--limit', '3'], text.io), 0, text.err());
    // Per minute once pg_stat_statements has counted a minute (stats_reset to the snapshot), else the total.
    assert.match(text.out(), /prod: (?:200 calls|[\d,.]+ calls\/(?:min|h|day)) · mean [\d.]+ m?s · \d+(\.\d)?% of DB time/);
    assert.match(text.out(), /src\/orders\.ts:\d+:\d+/);
  });

  test('a statement no code sends is listed as not found', async () => {
    const other = new Client({ connectionString: cluster.url });
    await other.connect();
    try {
      for (let i = 0; i < 50; i++) await other.query('select count(*) from orders o join order_items i on i.order_id = o.id where o.total_cents > $1', [i]);
    } finally {
      await other.end();
    }
    const out = capture();
    assert.equal(await runTopCommand([SHOP_DIR, '--db', cluster.url, '--format', 'json', '--limit', '50'], out.io), 0, out.err());
    const result = JSON.parse(out.out()) as { statements: Array<{ query: string; sites: unknown[] }> };
    const stranger = result.statements.find((s) => /total_cents >/.test(s.query));
    assert.ok(stranger, 'the statement is in the list');
    assert.deepEqual(stranger.sites, []);
  });
});

describe('pglens check with the snapshot', () => {
  test('check --snapshot: findings about statements production runs carry their calls, mean time and share of DB time', async () => {
    const file = join(scratch, 'check.json');
    const snap = capture();
    assert.equal(await runSnapshotCommand(['--db', cluster.url, '--out', file], snap.io), 0, snap.err());
    // Planned on the server itself (embeddedPlans.test.ts covers planning from the snapshot): the numbers come from the file.
    const sarif = capture();
    await runCheckCommand([SHOP_DIR, '--db', cluster.url, '--snapshot', file, '--format', 'sarif'], sarif.io, 'test');
    const results = (JSON.parse(sarif.out()) as { runs: Array<{ results: Array<{ message: { text: string; markdown?: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> }).runs[0].results;
    const at = (path: string, first: number, last: number) =>
      results.find((r) => r.locations[0].physicalLocation.artifactLocation.uri.endsWith(path) && r.locations[0].physicalLocation.region.startLine >= first && r.locations[0].physicalLocation.region.startLine <= last);
    const ordersOfCustomer = at('src/orders.ts', 14, 17);
    assert.ok(ordersOfCustomer, sarif.out().slice(0, 2000));
    // SARIF: the headline is message.text, the notes are items of message.markdown. Calls are a rate once
    // pg_stat_statements has counted for a minute (stats_reset to the snapshot), else the total.
    assert.match(ordersOfCustomer.message.markdown ?? '', new RegExp(`prod: (?:${WORKLOAD_ROUNDS} calls|[\\d,.]+ calls/(?:min|h|day)) · mean [\\d.]+ m?s · [\\d.<]+% of DB time \\(statistics of \\d{4}-\\d\\d-\\d\\d\\)`));
  });
});

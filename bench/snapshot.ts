// Embedded database described by a production snapshot (issue 15) against today's synthetic build: cold build (initdb
// template already cached) and warm start, with peak RSS, for examples/shop and for a generated schema of 80 tables;
// and the two ways to give the planner its pages (rows vs zero pages). Snapshots are taken from a real PostgreSQL 15
// (test/harness) loaded with the shop's rows at its pglens.json volumes, and with the 80 tables at 20k rows each.
// Each measurement is a child process of its own (its peak RSS is its own); the floor (`new PGlite()` + SELECT 1) is
// measured in the same run.
//
//   node --import tsx bench/snapshot.ts            measure, print, write docs/benchmarks.md
//   BENCH_SNAPSHOT_NO_DOCS=1 ...                   measure and print only

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { parse as parseJsonc } from 'jsonc-parser';
import { floorTable, megabytes as mb, openEmbeddedForBench, pgliteFloorMs, printChildResult, publishDocsSection, runBenchChild, runBenchScript, seconds, treeSchema, treeTableName } from './util';

const ROOT = path.resolve(__dirname, '..');
const SHOP = path.join(ROOT, 'examples', 'shop');
const DOCS = path.join(ROOT, 'docs', 'benchmarks.md');
const SECTION = '## Embedded database with a production snapshot (issue 15)';
const GENERATED_TABLES = 80;
const GENERATED_ROWS = 20_000;

interface ChildResult {
  ms: number;
  maxRssMb: number;
  fromCache?: boolean;
}

async function child(kind: string, args: string[]): Promise<void> {
  const started = performance.now();
  let result: Omit<ChildResult, 'maxRssMb'>;
  if (kind === 'floor') {
    result = { ms: await pgliteFloorMs() };
  } else if (kind === 'open') {
    const [workspaceRoot, cacheDir, optionsJson, snapshotFile] = args;
    const { readSnapshotFile } = require('../server/src/engine/snapshot/format') as typeof import('../server/src/engine/snapshot/format');
    const options = JSON.parse(optionsJson) as { volumes?: Record<string, number>; values?: Record<string, unknown[]> };
    const snapshot = snapshotFile ? readSnapshotFile(snapshotFile) : undefined;
    const db = await openEmbeddedForBench({ workspaceRoot, cacheDir, ...(snapshot ? { snapshot } : options) });
    result = { ms: performance.now() - started, fromCache: db.fromCache };
    await db.close();
  } else if (kind === 'pages') {
    // 100,000 pages (800 MB) for one table: the file extended with zero pages in PGlite's in-memory file system.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create();
    await db.exec('CREATE TABLE t (id bigint, a int)');
    const [{ p }] = (await db.query<{ p: string }>(`SELECT pg_relation_filepath('t') AS p`)).rows;
    const at = performance.now();
    db.Module.FS.truncate(`${db.Module.FS.cwd()}/${p}`, 100_000 * 8192);
    result = { ms: performance.now() - at };
    await db.close();
  } else {
    throw new Error(`unknown child kind ${kind}`);
  }
  printChildResult(result);
}

function runChild(kind: string, args: string[] = []): ChildResult {
  return runBenchChild<ChildResult>(__filename, ROOT, kind, args);
}

function generatedRows(): string {
  const statements: string[] = [];
  for (let i = 1; i <= GENERATED_TABLES; i++) {
    const name = treeTableName(i);
    const parent = i > 1 ? treeTableName(Math.floor(i / 2)) : undefined;
    statements.push(`INSERT INTO ${name} (${parent ? `${parent}_id, ` : ''}code, status, name, amount)
      SELECT ${parent ? `1 + g % ${GENERATED_ROWS}, ` : ''}'c' || g, (ARRAY['active', 'active', 'pending', 'closed'])[1 + g % 4], 'name ' || g, g % 1000
        FROM generate_series(1, ${GENERATED_ROWS}) g;`);
  }
  return `${statements.join('\n')}\nANALYZE;`;
}

async function takeSnapshots(scratch: string): Promise<{ shop: string; generated: string }> {
  const { startEphemeralPostgres } = require('../test/harness/postgres') as typeof import('../test/harness/postgres');
  const { loadShopDatabase } = require('../test/harness/shopDatabase') as typeof import('../test/harness/shopDatabase');
  const { connectPostgres } = require('../server/src/engine/db/postgres') as typeof import('../server/src/engine/db/postgres');
  const { readProductionSnapshot } = require('../server/src/engine/snapshot/read') as typeof import('../server/src/engine/snapshot/read');
  const { serializeSnapshot } = require('../server/src/engine/snapshot/format') as typeof import('../server/src/engine/snapshot/format');
  const cluster = await startEphemeralPostgres({ database: 'shop' });
  try {
    const app = new Client({ connectionString: cluster.url });
    await app.connect();
    await loadShopDatabase(app);
    await app.end();
    const admin = new Client({ connectionString: cluster.superuserUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE generated OWNER app');
    await admin.end();
    const generated = new Client({ connectionString: cluster.urlFor('generated') });
    await generated.connect();
    await generated.query(treeSchema(GENERATED_TABLES));
    await generated.query(generatedRows());
    await generated.end();
    const limits = { statementTimeoutMs: 30_000, lockTimeoutMs: 1_000 };
    const files = { shop: path.join(scratch, 'shop.json'), generated: path.join(scratch, 'generated.json') };
    for (const [name, url] of [['shop', cluster.url], ['generated', cluster.urlFor('generated')]] as const) {
      const db = await connectPostgres(url, { maxConnections: 1, sessionLimits: limits });
      writeFileSync(files[name], serializeSnapshot(await readProductionSnapshot(db, { withValues: false, limits })));
      await db.close();
    }
    return files;
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pglens-bench-snapshot-'));
  const log = (line: string) => process.stderr.write(`[bench:snapshot] ${line}\n`);
  try {
    log('snapshots from PostgreSQL 15: shop at its volumes, 80 generated tables');
    const snapshots = await takeSnapshots(scratch);
    const generatedRoot = path.join(scratch, 'generated');
    mkdirSync(path.join(generatedRoot, 'migrations'), { recursive: true });
    writeFileSync(path.join(generatedRoot, 'migrations', '0001_tables.sql'), treeSchema(GENERATED_TABLES));
    const config = parseJsonc(readFileSync(path.join(SHOP, 'pglens.json'), 'utf8')) as { volumes?: Record<string, number>; values?: Record<string, unknown[]> };
    const shopOptions = JSON.stringify({ volumes: config.volumes, values: config.values });
    const generatedOptions = JSON.stringify({ volumes: { '*': GENERATED_ROWS } });

    const measure = (label: string, kind: string, args: string[] = []) => {
      log(label);
      const result = runChild(kind, args);
      log(`  ${seconds(result.ms)}, ${mb(result.maxRssMb)}`);
      return result;
    };
    const floor = measure('floor: new PGlite() + SELECT 1', 'floor');
    const template = path.join(scratch, 'template-warmup');
    measure('initdb template (once per PGlite version; not counted)', 'open', [SHOP, template, shopOptions]);
    const fresh = (name: string) => {
      const dir = path.join(scratch, name);
      // Each cold build starts from a cache that has the initdb template and nothing else.
      spawnSync('cp', ['-a', template, dir]);
      for (const entry of readdirSync(dir)) if (!entry.startsWith('initdb-')) rmSync(path.join(dir, entry), { recursive: true, force: true });
      return dir;
    };
    const shopSyntheticDir = fresh('shop-synthetic');
    const shopSnapshotDir = fresh('shop-snapshot');
    const generatedSyntheticDir = fresh('generated-synthetic');
    const generatedSnapshotDir = fresh('generated-snapshot');
    const rows: Array<[string, ChildResult]> = [
      ['floor: `new PGlite()` + `SELECT 1`', floor],
      ['shop, synthetic rows (1.17M): cold build', measure('shop synthetic cold', 'open', [SHOP, shopSyntheticDir, shopOptions])],
      ['shop, synthetic rows: warm start', measure('shop synthetic warm', 'open', [SHOP, shopSyntheticDir, shopOptions])],
      ['shop, production snapshot: cold build', measure('shop snapshot cold', 'open', [SHOP, shopSnapshotDir, '{}', snapshots.shop])],
      ['shop, production snapshot: warm start', measure('shop snapshot warm', 'open', [SHOP, shopSnapshotDir, '{}', snapshots.shop])],
      [`${GENERATED_TABLES} tables, synthetic rows (${GENERATED_ROWS.toLocaleString('en-US')} per table): cold build`, measure('generated synthetic cold', 'open', [generatedRoot, generatedSyntheticDir, generatedOptions])],
      [`${GENERATED_TABLES} tables, production snapshot: cold build`, measure('generated snapshot cold', 'open', [generatedRoot, generatedSnapshotDir, '{}', snapshots.generated])],
      [`${GENERATED_TABLES} tables, production snapshot: warm start`, measure('generated snapshot warm', 'open', [generatedRoot, generatedSnapshotDir, '{}', snapshots.generated])],
      ['pages for the planner: one table extended by 100,000 zero pages (800 MB) in memory (time of the truncate call)', measure('pages', 'pages')],
    ];
    const floorAgain = measure('floor again', 'floor');
    const floorMs = (floor.ms + floorAgain.ms) / 2;
    const table = floorTable(rows, floorMs);
    const text = [
      SECTION,
      '',
      `Measured by \`node --import tsx bench/snapshot.ts\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, Node ${process.version}, ` +
        `PGlite 0.5.16 (PostgreSQL 18.6), 1-minute load average ${os.loadavg()[0].toFixed(1)} when the run ended (other work shared the machine: compare ` +
        'the ratios against the floor of the same run more than the seconds). Cold builds start from a cache holding only the initdb template.',
      '',
      table,
      '',
      '- The snapshot build applies the schema, then per relation `pg_restore_relation_stats`, per column `pg_restore_attribute_stats`, and extends ' +
        'the relation files to production\'s pages; the synthetic build inserts rows and runs VACUUM ANALYZE. Pages for the planner: inserting ' +
        'rows costs the synthetic build\'s time; extending a file with zero pages is one call per 1 GB segment, and zero pages are not resident ' +
        '(the last row: peak RSS is that of PGlite itself).',
      '',
    ].join('\n');
    publishDocsSection(DOCS, SECTION, text, 'BENCH_SNAPSHOT_NO_DOCS');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runBenchScript(child, main);

// Embedded database described by a production snapshot (issue 15) against today's synthetic build: cold build (initdb
// template already cached) and warm start, with peak RSS, for examples/shop and for a generated schema of 80 tables;
// and the two ways to give the planner its pages (rows vs zero pages). Snapshots are taken from a real PostgreSQL 15
// (test/harness) loaded with the shop's rows at its pglens.json volumes, and with the 80 tables at 20k rows each.
// Each measurement is a child process of its own (its peak RSS is its own); the floor (`new PGlite()` + SELECT 1) is
// measured in the same run. The `open` children run under tsx, which itself adds ~50-90 MB of RSS; the rows of the
// bundled CLI (`pglens check --snapshot`, what users run) and of the smallest PGlite run in plain Node.
//
//   npm run build && node --import tsx bench/snapshot.ts    measure, print, write docs/benchmarks.md
//   BENCH_SNAPSHOT_NO_DOCS=1 ...                            measure and print only
//   BENCH_CLI=path/to/cli.js                                 another bundle than out/cli.js

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
const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(ROOT, 'out', 'cli.js');
/** Statements of the generated workspace that the CLI rows check: lookups, joins over the tree, an aggregate. */
const GENERATED_QUERIES = [
  'SELECT * FROM t02 WHERE t01_id = $1;',
  "SELECT t04.*, t02.name FROM t04 JOIN t02 ON t02.id = t04.t02_id WHERE t04.status = 'pending' ORDER BY t04.created_at DESC LIMIT 20;",
  'SELECT status, count(*) FROM t10 GROUP BY status;',
  'SELECT * FROM t40 WHERE code = $1;',
  'SELECT * FROM t41 WHERE t20_id = $1;',
  "SELECT t80.* FROM t80 JOIN t40 ON t40.id = t80.t40_id JOIN t20 ON t20.id = t40.t20_id WHERE t20.status = 'closed';",
];

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

/** A plain-Node process (no tsx) whose peak RSS is written to `rssFile` on exit by a preloaded hook. */
function runPlainNode(args: string[], cwd: string, env: NodeJS.ProcessEnv, scratch: string): ChildResult {
  const hook = path.join(scratch, 'max-rss-hook.js');
  const rssFile = path.join(scratch, `max-rss-${process.pid}-${Date.now()}.json`);
  writeFileSync(hook, "process.on('exit', () => require('node:fs').writeFileSync(process.env.PGLENS_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS / 1024)));\n");
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--require', hook, ...args], { cwd, env: { ...env, PGLENS_BENCH_RSS_FILE: rssFile }, encoding: 'utf8' });
  const ms = performance.now() - started;
  // pglens check exits 1 when it reports findings; 2 and above are failures.
  if (run.status === null || run.status > 1) throw new Error(`node ${args.join(' ')} failed (${run.status}): ${(run.stderr ?? '').slice(-2000)}`);
  return { ms, maxRssMb: Number(readFileSync(rssFile, 'utf8')) };
}

/** The bundled CLI checking the generated workspace with the snapshot, its embedded cache under `cacheDir`. */
function cliCheck(workspaceRoot: string, cacheDir: string, snapshotFile: string, scratch: string): ChildResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  for (const key of Object.keys(env)) if (key.startsWith('PG') || key === 'NODE_OPTIONS') delete env[key];
  // The CLI's cache is $XDG_CACHE_HOME/pglens: a directory whose pglens/ is the bench's cache directory.
  const xdg = path.join(scratch, `xdg-${path.basename(cacheDir)}`);
  mkdirSync(xdg, { recursive: true });
  spawnSync('ln', ['-sfn', cacheDir, path.join(xdg, 'pglens')]);
  return runPlainNode([CLI, 'check', 'queries.sql', '--snapshot', snapshotFile], workspaceRoot, { ...env, XDG_CACHE_HOME: xdg }, scratch);
}

/**
 * The smallest PGlite: plain Node, PGlite started on a copy of the initdb template, SELECT 1. `smallPool`: shared_buffers
 * 16 MB (what a snapshot-described database runs with) and the baseline WebAssembly tier only; else PGlite's defaults
 * with both tiers, as pglens starts it. Two seconds after SELECT 1 before exit, for the optimising tier's compile to show.
 */
function smallestPglite(template: string, smallPool: boolean, scratch: string): ChildResult {
  const dataDir = path.join(scratch, `smallest-${smallPool ? 'small' : 'default'}`);
  spawnSync('cp', ['-a', template, dataDir]);
  rmSync(path.join(dataDir, 'pglens-embedded.json'), { force: true });
  const code = `
    const v8 = require('node:v8');
    ${smallPool ? "v8.setFlagsFromString('--liftoff-only');" : "v8.setFlagsFromString('--wasm-tier-up'); v8.setFlagsFromString('--wasm-dynamic-tiering');"}
    const { PGlite } = require('@electric-sql/pglite');
    (async () => {
      const db = await PGlite.create(${JSON.stringify(dataDir)}, { startParams: [...PGlite.defaultStartParams${smallPool ? ", '-c', 'shared_buffers=16MB'" : ''}] });
      await db.query('SELECT 1');
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await db.close();
    })();`;
  const result = runPlainNode(['-e', code], ROOT, process.env, scratch);
  rmSync(dataDir, { recursive: true, force: true });
  return { ...result, ms: result.ms - 2000 };
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
    writeFileSync(path.join(generatedRoot, 'queries.sql'), `${GENERATED_QUERIES.join('\n')}\n`);
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
    const generatedCliDir = fresh('generated-cli');
    const templateDir = path.join(template, readdirSync(template).find((entry) => entry.startsWith('initdb-'))!);
    const measurePlain = (label: string, run: () => ChildResult) => {
      log(label);
      const result = run();
      log(`  ${seconds(result.ms)}, ${mb(result.maxRssMb)}`);
      return result;
    };
    const rows: Array<[string, ChildResult]> = [
      ['floor: `new PGlite()` + `SELECT 1`', floor],
      ['shop, synthetic rows (1.17M): cold build', measure('shop synthetic cold', 'open', [SHOP, shopSyntheticDir, shopOptions])],
      ['shop, synthetic rows: warm start', measure('shop synthetic warm', 'open', [SHOP, shopSyntheticDir, shopOptions])],
      ['shop, production snapshot: cold build', measure('shop snapshot cold', 'open', [SHOP, shopSnapshotDir, '{}', snapshots.shop])],
      ['shop, production snapshot: warm start', measure('shop snapshot warm', 'open', [SHOP, shopSnapshotDir, '{}', snapshots.shop])],
      [`${GENERATED_TABLES} tables, synthetic rows (${GENERATED_ROWS.toLocaleString('en-US')} per table): cold build`, measure('generated synthetic cold', 'open', [generatedRoot, generatedSyntheticDir, generatedOptions])],
      [`${GENERATED_TABLES} tables, production snapshot: cold build`, measure('generated snapshot cold', 'open', [generatedRoot, generatedSnapshotDir, '{}', snapshots.generated])],
      [`${GENERATED_TABLES} tables, production snapshot: warm start`, measure('generated snapshot warm', 'open', [generatedRoot, generatedSnapshotDir, '{}', snapshots.generated])],
      [`${GENERATED_TABLES} tables, production snapshot: bundled CLI \`pglens check --snapshot\` of ${GENERATED_QUERIES.length} statements, cold build`, measurePlain('cli check cold', () => cliCheck(generatedRoot, generatedCliDir, snapshots.generated, scratch))],
      [`${GENERATED_TABLES} tables, production snapshot: bundled CLI \`pglens check --snapshot\`, warm start`, measurePlain('cli check warm', () => cliCheck(generatedRoot, generatedCliDir, snapshots.generated, scratch))],
      ['smallest PGlite answering `SELECT 1` (plain Node, a data directory): PGlite defaults (shared_buffers 128 MB), both WebAssembly tiers', measurePlain('smallest pglite, defaults', () => smallestPglite(templateDir, false, scratch))],
      ['smallest PGlite answering `SELECT 1`: shared_buffers 16 MB, baseline tier only', measurePlain('smallest pglite, small pool', () => smallestPglite(templateDir, true, scratch))],
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
      '- Where the RSS goes (issue 15, measured with /proc/self/smaps on a warm start of the 80 tables): PostgreSQL\'s buffer pool lives in ' +
        'PGlite\'s WebAssembly memory and is all resident once the server has started: with PGlite\'s shared_buffers of 128 MB, 151 MB of the ' +
        'instance\'s 189 MB memory; with 16 MB, 29 MB. A database described by a snapshot holds no rows and the planner never reads ' +
        'shared_buffers (it reads effective_cache_size, restored from the snapshot), so it runs with 16 MB (embedded.ts `memoryParams`; the shop\'s ' +
        'EXPLAIN text, costs included, is the same with 128 MB and 16 MB). The rest: Node itself (~40 MB), the JavaScript heap (~50 MB), ' +
        'the WebAssembly code (baseline tier for the whole module, then the optimising tier\'s code and compile memory for the hot functions: ' +
        '+60-80 MB a few seconds after start; the baseline tier alone is slower, see server/src/engine/v8Tuning.ts), and under tsx (the `open` rows) ' +
        'tsx itself (`node --import tsx` of an empty file: 87 MB, plain `node`: 39 MB).',
      '',
    ].join('\n');
    publishDocsSection(DOCS, SECTION, text, 'BENCH_SNAPSHOT_NO_DOCS');
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

runBenchScript(child, main);

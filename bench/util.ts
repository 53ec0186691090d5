// Shared pieces of the engine benchmarks (issue 2): a generated TypeScript workspace, timing helpers, the database.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getSharedTestDatabase, type SharedTestDatabase } from '../test/harness/postgres';
import type * as EmbeddedModule from '../server/src/engine/db/embedded/embedded';

// ---------------------------------------------------------------------------------------------------------------
// A deterministic pseudo-random source, so every run generates the same workspace.

export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Statements over the fixture schema (test/fixtures/app/schema.sql), so that the same workspace can also be planned.

interface TableShape {
  name: string;
  key: string;
  columns: string[];
  /** Columns compared with a parameter. */
  filters: string[];
  /** Columns to sort by. */
  sorts: string[];
}

const TABLES: TableShape[] = [
  { name: 'accounts', key: 'id', columns: ['id', 'name', 'slug', 'plan_id', 'country_code', 'status', 'created_at'], filters: ['slug', 'plan_id', 'status', 'country_code', 'id'], sorts: ['created_at', 'name', 'id'] },
  { name: 'users', key: 'id', columns: ['id', 'account_id', 'email', 'full_name', 'role', 'status', 'created_at', 'last_login_at'], filters: ['email', 'account_id', 'status', 'role', 'id'], sorts: ['created_at', 'full_name', 'last_login_at'] },
  { name: 'projects', key: 'id', columns: ['id', 'account_id', 'owner_user_id', 'name', 'description', 'created_at', 'archived_at'], filters: ['account_id', 'owner_user_id', 'name', 'id'], sorts: ['created_at', 'name'] },
  { name: 'invoices', key: 'id', columns: ['id', 'account_id', 'number', 'status', 'currency', 'amount_cents', 'issued_at', 'due_at', 'paid_at'], filters: ['account_id', 'number', 'status', 'currency', 'id'], sorts: ['issued_at', 'due_at', 'amount_cents'] },
  { name: 'invoice_lines', key: 'id', columns: ['id', 'invoice_id', 'description', 'quantity', 'unit_price_cents'], filters: ['invoice_id', 'id'], sorts: ['id', 'quantity'] },
  { name: 'orders', key: 'id', columns: ['id', 'account_id', 'user_id', 'status', 'currency', 'total_cents', 'customer_email', 'shipping_country', 'note', 'created_at', 'shipped_at'], filters: ['customer_email', 'account_id', 'user_id', 'status', 'shipping_country', 'id'], sorts: ['created_at', 'total_cents', 'shipped_at'] },
  { name: 'order_items', key: 'id', columns: ['id', 'order_id', 'sku', 'quantity', 'price_cents'], filters: ['order_id', 'sku', 'id'], sorts: ['id', 'price_cents'] },
  { name: 'events', key: 'id', columns: ['id', 'account_id', 'user_id', 'type', 'created_at'], filters: ['account_id', 'user_id', 'type', 'id'], sorts: ['created_at', 'id'] },
  { name: 'audit_log', key: 'id', columns: ['id', 'account_id', 'actor_user_id', 'action', 'entity_type', 'entity_id', 'created_at'], filters: ['account_id', 'actor_user_id', 'entity_type', 'entity_id', 'action'], sorts: ['created_at', 'id'] },
  { name: 'countries', key: 'code', columns: ['code', 'name', 'region'], filters: ['code', 'region'], sorts: ['name'] },
  { name: 'plans', key: 'id', columns: ['id', 'name', 'monthly_price_cents', 'max_users', 'is_public'], filters: ['name', 'id'], sorts: ['monthly_price_cents'] },
];

const JOINS: [string, string, string][] = [
  ['users u JOIN accounts a ON a.id = u.account_id', 'u', 'a'],
  ['orders o JOIN order_items i ON i.order_id = o.id', 'o', 'i'],
  ['invoices v JOIN invoice_lines l ON l.invoice_id = v.id', 'v', 'l'],
  ['projects p JOIN users u ON u.id = p.owner_user_id', 'p', 'u'],
  ['events e JOIN users u ON u.id = e.user_id', 'e', 'u'],
];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

function pickColumns(random: () => number, table: TableShape): string[] {
  const count = 1 + Math.floor(random() * Math.min(4, table.columns.length));
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(pick(random, table.columns));
  return [...chosen];
}

/**
 * One statement over the fixture schema, with its parameters as `{}` placeholders (the caller writes them as `$n` or
 * `${expr}`). `variant` widens the set of distinct texts (LIMIT and OFFSET values).
 */
export function generateStatement(random: () => number, variant: number): { sql: string; parameters: number } {
  const table = pick(random, TABLES);
  const kind = random();
  if (kind < 0.55) {
    const columns = pickColumns(random, table);
    const filter = pick(random, table.filters);
    const extra = random() < 0.35 ? ` AND ${pick(random, table.filters)} = {}` : '';
    const order = random() < 0.5 ? ` ORDER BY ${pick(random, table.sorts)}${random() < 0.5 ? ' DESC' : ''} LIMIT ${10 + (variant % 90)}` : '';
    const sql = `SELECT ${columns.join(', ')} FROM ${table.name} WHERE ${filter} = {}${extra}${order}`;
    return { sql, parameters: extra ? 2 : 1 };
  }
  if (kind < 0.65) {
    const [from, left, right] = pick(random, JOINS);
    return { sql: `SELECT ${left}.id, ${right}.id AS other_id FROM ${from} WHERE ${left}.id = {} LIMIT ${1 + (variant % 50)}`, parameters: 1 };
  }
  if (kind < 0.73) {
    const group = pick(random, table.filters);
    return { sql: `SELECT ${group}, count(*) FROM ${table.name} WHERE ${table.key} > {} GROUP BY ${group} ORDER BY 2 DESC LIMIT ${5 + (variant % 20)}`, parameters: 1 };
  }
  if (kind < 0.83) {
    const column = pick(random, table.columns.filter((c) => c !== table.key));
    return { sql: `UPDATE ${table.name} SET ${column} = {} WHERE ${table.key} = {}`, parameters: 2 };
  }
  if (kind < 0.91) {
    const column = pick(random, table.filters);
    return { sql: `DELETE FROM ${table.name} WHERE ${column} = {} AND ${table.key} = {}`, parameters: 2 };
  }
  const columns = pickColumns(random, table).filter((c) => c !== table.key);
  const insertColumns = columns.length > 0 ? columns : [table.columns[1]];
  return { sql: `INSERT INTO ${table.name} (${insertColumns.join(', ')}) VALUES (${insertColumns.map(() => '{}').join(', ')})`, parameters: insertColumns.length };
}

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\{\}/g, () => `$${++n}`);
};
const interpolated = (sql: string, names: string[]) => {
  let n = 0;
  return sql.replace(/\{\}/g, () => `\${${names[n++ % names.length]}}`);
};

// ---------------------------------------------------------------------------------------------------------------
// The workspace

export interface GeneratedWorkspace {
  dir: string;
  files: { path: string; text: string }[];
  /** SQL sites written (each holds one statement). */
  sites: number;
  remove(): void;
}

/**
 * A workspace of TypeScript files in a temp dir, each with `sitesPerFile` SQL sites in varied styles (pg
 * `pool.query` strings and templates, `sql` tags with `${}` parameters, Prisma `$queryRaw`, `/* sql *\/` constants)
 * among functions, types and calls that are not SQL (log messages, a router's `query('page')`, labels).
 */
export function generateWorkspace(options: { files: number; sitesPerFile: number; seed?: number }): GeneratedWorkspace {
  const random = prng(options.seed ?? 20241126);
  const dir = mkdtempSync(join(tmpdir(), 'pglens-bench-'));
  const files: { path: string; text: string }[] = [];
  let sites = 0;
  for (let f = 0; f < options.files; f++) {
    const module = `m${f}`;
    const lines: string[] = [
      `// Generated for the pglens benchmarks: module ${f}.`,
      "import { pool, sql, prisma, log, router } from '../lib/db';",
      '',
      `export interface Row${f} { id: number; name: string; createdAt: Date }`,
      '',
      `const LABEL_${f} = 'Select the rows to export';`,
      '',
    ];
    const constants: string[] = [];
    for (let s = 0; s < options.sitesPerFile; s++) {
      const { sql: template } = generateStatement(random, f * options.sitesPerFile + s);
      const style = random();
      const fn = `${module}q${s}`;
      if (style < 0.3) {
        lines.push(`export async function ${fn}(a: unknown, b: unknown, c: unknown, d: unknown) {`);
        lines.push(`  const { rows } = await pool.query('${numbered(template)}', [a, b, c, d]);`);
        lines.push(`  return rows as Row${f}[];`);
        lines.push('}');
      } else if (style < 0.55) {
        lines.push(`export async function ${fn}(id: number, value: string, other: number) {`);
        lines.push(`  return sql\`${interpolated(template, ['id', 'value', 'other'])}\`;`);
        lines.push('}');
      } else if (style < 0.7) {
        lines.push(`export async function ${fn}(id: number, value: string) {`);
        lines.push(`  return prisma.$queryRaw\`${interpolated(template, ['id', 'value'])}\`;`);
        lines.push('}');
      } else if (style < 0.85) {
        const name = `${fn.toUpperCase()}_SQL`;
        constants.push(`const ${name} = /* sql */ \`\n  ${numbered(template).replace(/ (FROM|WHERE|ORDER BY|GROUP BY|SET|VALUES) /g, '\n  $1 ')}\`;`);
        lines.push(`export const ${fn} = (id: number) => pool.query(${name}, [id]);`);
      } else {
        lines.push(`export async function ${fn}(id: number, value: string) {`);
        lines.push('  const result = await pool.query(');
        lines.push(`    \`${numbered(template).replace(/ (FROM|WHERE|ORDER BY|LIMIT) /g, '\n       $1 ')}\`,`);
        lines.push('    [id, value],');
        lines.push('  );');
        lines.push('  return result.rowCount;');
        lines.push('}');
      }
      sites++;
      // Code that is not SQL, between the sites.
      if (s % 3 === 0) lines.push(`export const ${fn}Label = () => log('select a plan that fits your team: ${f}/${s}');`);
      if (s % 4 === 1) lines.push(`export const ${fn}Page = () => router.query('page-${s}');`);
      if (s % 5 === 2) lines.push(`export const ${fn}Help = 'Update your e-mail address from the profile page.';`);
      lines.push('');
    }
    const text = [...lines.slice(0, 7), ...constants, '', ...lines.slice(7), `export default { label: LABEL_${f} };`, ''].join('\n');
    const path = join(dir, 'src', `area${f % 40}`, `${module}.ts`);
    files.push({ path, text });
  }
  files.push({
    path: join(dir, 'src', 'lib', 'db.ts'),
    text: [
      "import { Pool } from 'pg';",
      'export const pool = new Pool();',
      'export declare function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown[]>;',
      'export declare const prisma: { $queryRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown[]> };',
      'export declare function log(message: string): void;',
      'export declare const router: { query(name: string): unknown };',
      '',
    ].join('\n'),
  });
  for (const file of files) {
    mkdirSync(join(file.path, '..'), { recursive: true });
    writeFileSync(file.path, file.text);
  }
  return { dir, files, sites, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------------------------------------------
// Timing and reporting

export function timeSync(work: () => void): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

export async function timeAsync(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
export const ratio = (value: number) => `${value.toFixed(2)}x`;

/** One line per result, `name: value`, and a machine-readable line for bench/run.ts to collect. */
export function report(bench: string, results: Record<string, string | number | boolean>): void {
  for (const [key, value] of Object.entries(results)) console.log(`  ${key}: ${value}`);
  console.log(`BENCH_RESULT ${JSON.stringify({ bench, ...results })}`);
}

/** The fixture database: PGLENS_TEST_* when set (bench/run.ts sets them), otherwise an ephemeral cluster. */
export function benchDatabase(): Promise<SharedTestDatabase> {
  return getSharedTestDatabase();
}

/** Replaces one benchmark's section (from its `## ` heading to the next) of a docs file; the others belong to other benchmarks. */
export function replaceDocsSection(docsFile: string, heading: string, text: string): void {
  const current = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(heading);
  let next: string;
  if (start === -1) next = `${current.trimEnd()}\n\n${text}`;
  else {
    const after = current.indexOf('\n## ', start + heading.length);
    next = current.slice(0, start) + text + (after === -1 ? '' : `\n${current.slice(after + 1)}`);
  }
  writeFileSync(docsFile, next.endsWith('\n') ? next : `${next}\n`);
}

/**
 * Runs `script --child kind args...` (a benchmark file of its own) in a process of its own, so the measurement's peak
 * RSS is its own; the child prints its result as JSON on its last line (printChildResult).
 */
export function runBenchChild<T>(script: string, cwd: string, kind: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', kind, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`bench child ${kind} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as T;
}

/** A child's result, with the process's peak RSS, as its last line of output. */
export function printChildResult(result: object): void {
  process.stdout.write(`\n${JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

/** The floor of the embedded-database benchmarks: a bare `new PGlite()` (in memory, runs initdb) and `SELECT 1`, in ms. */
export async function pgliteFloorMs(): Promise<number> {
  const started = performance.now();
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  await db.query('SELECT 1');
  const ms = performance.now() - started;
  await db.close();
  return ms;
}

// ---------------------------------------------------------------------------------------------------------------
// The embedded-database benchmarks (bench/embedded.ts, bench/snapshot.ts)

export const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
export const megabytes = (value: number) => `${Math.round(value)} MB`;
export const timesFloor = (value: number, floor: number) => `${(value / floor).toFixed(2)}x`;

/** The docs table of a child-process benchmark: time, ratio against the floor of the same run, peak RSS. */
export function floorTable(rows: ReadonlyArray<[string, { ms: number; maxRssMb: number }]>, floorMs: number): string {
  return [
    '| measurement | time | vs floor | peak RSS |',
    '|---|---:|---:|---:|',
    ...rows.map(([label, result]) => `| ${label} | ${seconds(result.ms)} | ${timesFloor(result.ms, floorMs)} | ${megabytes(result.maxRssMb)} |`),
  ].join('\n');
}

/** Opens the embedded database and runs `SELECT 1`. Required here, not imported at the top, so the floor child never loads pglens code. */
export async function openEmbeddedForBench(options: EmbeddedModule.EmbeddedDatabaseOptions): Promise<EmbeddedModule.EmbeddedDatabase> {
  const { openEmbeddedDatabase } = require('../server/src/engine/db/embedded/embedded') as typeof EmbeddedModule;
  const db = await openEmbeddedDatabase(options);
  await db.withSession((session) => session.query('SELECT 1'));
  return db;
}

/**
 * `tables` tables t01, t02...: a tree of foreign keys (each table's parent is the one at half its number), CHECK
 * lists, unique codes, an index on every second foreign key; with `payloadEvery`, a jsonb column on every
 * payloadEvery-th table (and a blank line on the others, as bench/embedded.ts has always written it).
 */
export function treeSchema(tables: number, payloadEvery?: number): string {
  const statements: string[] = [];
  for (let i = 1; i <= tables; i++) {
    const name = treeTableName(i);
    const parent = i > 1 ? treeTableName(Math.floor(i / 2)) : undefined;
    statements.push(`CREATE TABLE ${name} (
  id bigserial PRIMARY KEY,
  ${parent ? `${parent}_id bigint NOT NULL REFERENCES ${parent} (id),` : ''}
  code text NOT NULL UNIQUE,
  status text NOT NULL CHECK (status IN ('active', 'pending', 'closed')),
  name text NOT NULL,
  amount numeric(12, 2),${payloadEvery ? `\n  ${i % payloadEvery === 0 ? 'payload jsonb,' : ''}` : ''}
  created_at timestamptz NOT NULL DEFAULT now()
);`);
    if (parent && i % 2 === 0) statements.push(`CREATE INDEX ${name}_${parent}_id_idx ON ${name} (${parent}_id);`);
  }
  return statements.join('\n');
}

export const treeTableName = (i: number) => `t${String(i).padStart(2, '0')}`;

/** Prints a benchmark's docs section and, unless the environment variable `noDocsVariable` is set, puts it in `docsFile`. */
export function publishDocsSection(docsFile: string, heading: string, text: string, noDocsVariable: string): void {
  process.stdout.write(`\n${text}\n`);
  if (!process.env[noDocsVariable]) replaceDocsSection(docsFile, heading, text);
}

/** A child-process benchmark's entry: `--child kind args...` measures one thing (`child`), anything else runs `main`. */
export function runBenchScript(child: (kind: string, args: string[]) => Promise<void>, main: () => Promise<void>): void {
  const childAt = process.argv.indexOf('--child');
  const run = childAt >= 0 ? child(process.argv[childAt + 1], process.argv.slice(childAt + 2)) : main();
  run.catch((error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
}

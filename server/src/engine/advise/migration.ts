// The "Add index" quick fix writes a migration the way the project already writes them: its folder, its file
// naming (timestamp or sequence prefix), its framework's layout (Prisma, knex, drizzle, Supabase, plain SQL).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFrameworkConfigText } from '../files';

export type MigrationLayout = 'prisma' | 'supabase' | 'drizzle' | 'knex' | 'plain-sql';

export interface MigrationTarget {
  layout: MigrationLayout;
  /** Absolute folder the new migration goes in. */
  dir: string;
  /** How existing files are named, detected from them (timestamp by default). */
  prefix: 'timestamp' | 'sequence' | 'flyway';
  /** Width of a sequence prefix (0001 → 4). */
  sequenceWidth: number;
  nextSequence: number;
  /** golang-migrate / dbmate style `.up.sql` suffix. */
  upSuffix: boolean;
  /** JS/TS migration files (knex). */
  extension: '.sql' | '.js' | '.ts';
}

const PLAIN_DIRS = ['migrations', 'db/migrations', 'database/migrations', 'sql/migrations', 'src/migrations', 'db/migrate', 'migrate'];

function exists(p: string): boolean {
  try {
    return fs.existsSync(p);
  } catch {
    return false;
  }
}

function listing(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((name) => !name.startsWith('.'));
  } catch {
    return [];
  }
}

const recentTargets = new Map<string, { at: number; target: MigrationTarget }>();
/** How long a detected layout is reused: the editor re-analyses on every edit, and each finding asks again. */
const TARGET_REUSE_MS = 2000;

/** Finds where migrations live under `root`, or uses `configuredDir` (relative to root). */
export function detectMigrationTarget(root: string, configuredDir?: string): MigrationTarget {
  const key = `${root}\u0000${configuredDir ?? ''}`;
  const recent = recentTargets.get(key);
  const now = Date.now();
  if (recent && now - recent.at < TARGET_REUSE_MS) return recent.target;
  const target = detectMigrationTargetNow(root, configuredDir);
  recentTargets.set(key, { at: now, target });
  return target;
}

function detectMigrationTargetNow(root: string, configuredDir?: string): MigrationTarget {
  const base = (layout: MigrationLayout, dir: string, extension: MigrationTarget['extension'] = '.sql'): MigrationTarget => ({
    ...namingOf(listing(dir)),
    layout,
    dir,
    extension,
  });
  if (configuredDir) {
    const dir = path.resolve(root, configuredDir);
    if (path.basename(path.dirname(dir)) === 'prisma' || exists(path.join(dir, 'migration_lock.toml'))) return base('prisma', dir);
    const names = listing(dir);
    const extension = names.some((n) => n.endsWith('.js')) && !names.some((n) => n.endsWith('.sql')) ? '.js' : names.some((n) => n.endsWith('.ts')) && !names.some((n) => n.endsWith('.sql')) ? '.ts' : '.sql';
    return base(extension === '.sql' ? 'plain-sql' : 'knex', dir, extension);
  }
  if (exists(path.join(root, 'prisma', 'migrations')) || exists(path.join(root, 'prisma', 'schema.prisma'))) return base('prisma', path.join(root, 'prisma', 'migrations'));
  if (exists(path.join(root, 'supabase', 'migrations')) || exists(path.join(root, 'supabase', 'config.toml'))) return base('supabase', path.join(root, 'supabase', 'migrations'));
  const drizzleConfig = ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.json'].map((f) => path.join(root, f)).find(exists);
  if (drizzleConfig) {
    const out = /out\s*:\s*['"]([^'"]+)['"]/.exec(readFrameworkConfigText(drizzleConfig, root))?.[1] ?? 'drizzle';
    return { ...base('drizzle', path.resolve(root, out)), prefix: 'sequence', sequenceWidth: 4 };
  }
  const knexfile = ['knexfile.js', 'knexfile.ts', 'knexfile.cjs', 'knexfile.mjs'].map((f) => path.join(root, f)).find(exists);
  if (knexfile) {
    const configured = /directory\s*:\s*['"]([^'"]+)['"]/.exec(readFrameworkConfigText(knexfile, root))?.[1];
    const dir = path.resolve(root, configured ?? 'migrations');
    return base('knex', dir, knexfile.endsWith('.ts') ? '.ts' : '.js');
  }
  for (const candidate of PLAIN_DIRS) {
    const dir = path.join(root, candidate);
    if (exists(dir)) return base('plain-sql', dir);
  }
  return base('plain-sql', path.join(root, 'migrations'));
}

function namingOf(names: string[]): Omit<MigrationTarget, 'layout' | 'dir' | 'extension'> {
  const timestamps = names.filter((n) => /^\d{12,14}[_-]/.test(n)).length;
  const flyway = names.filter((n) => /^V\d+(_\d+)?__/.test(n));
  const sequences = names.filter((n) => /^\d{1,6}[_-]/.test(n) && !/^\d{12,}/.test(n));
  const upSuffix = names.some((n) => n.endsWith('.up.sql'));
  if (flyway.length > timestamps && flyway.length >= sequences.length) {
    const highest = Math.max(0, ...flyway.map((n) => Number(/^V(\d+)/.exec(n)![1])));
    return { prefix: 'flyway', sequenceWidth: 1, nextSequence: highest + 1, upSuffix };
  }
  if (sequences.length > timestamps) {
    const numbers = sequences.map((n) => /^(\d+)/.exec(n)![1]);
    const highest = Math.max(...numbers.map(Number));
    return { prefix: 'sequence', sequenceWidth: Math.max(...numbers.map((n) => n.length)), nextSequence: highest + 1, upSuffix };
  }
  return { prefix: 'timestamp', sequenceWidth: 4, nextSequence: 1, upSuffix };
}

function timestamp(now: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
}

export interface MigrationFile {
  path: string;
  content: string;
}

/**
 * A migration creating the index without blocking writes: CREATE INDEX CONCURRENTLY IF NOT EXISTS, which cannot run
 * inside a transaction block, so the file says so (and knex's gets `config.transaction = false`).
 */
export function writeIndexMigration(
  target: MigrationTarget,
  input: { indexes: { name: string; definition: string }[]; comment: string[]; now?: Date; preamble?: string[] },
): MigrationFile {
  const now = input.now ?? new Date();
  const slug = `add_${input.indexes[0].name}`.slice(0, 80);
  let prefix: string;
  if (target.layout === 'drizzle' || target.prefix === 'sequence') {
    const next = target.layout === 'drizzle' ? Math.max(target.nextSequence - 1, listing(target.dir).filter((n) => /^\d{4}_.*\.sql$/.test(n)).length) : target.nextSequence;
    prefix = String(next).padStart(target.sequenceWidth, '0');
  } else if (target.prefix === 'flyway') prefix = `V${target.nextSequence}_`;
  else prefix = timestamp(now);
  const statement = input.indexes.map((index) => `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${index.name} ${index.definition};`).join('\n');
  const comments = [
    ...input.comment,
    'CREATE INDEX CONCURRENTLY cannot run inside a transaction block: run this migration outside one.',
  ];
  const sqlBody = [...comments.map((line) => `-- ${line}`), ...(input.preamble ?? []), statement, ''].join('\n');
  switch (target.layout) {
    case 'prisma':
      return { path: path.join(target.dir, `${prefix}_${slug}`, 'migration.sql'), content: sqlBody };
    case 'knex': {
      const body = [
        ...comments.map((line) => `// ${line}`),
        `exports.config = { transaction: false };`,
        '',
        `exports.up = (knex) => knex.raw(${JSON.stringify([...(input.preamble ?? []), statement].join('\n'))});`,
        '',
        `exports.down = (knex) => knex.raw(${JSON.stringify(input.indexes.map((index) => `DROP INDEX CONCURRENTLY IF EXISTS ${index.name};`).join('\n'))});`,
        '',
      ].join('\n');
      return { path: path.join(target.dir, `${prefix}_${slug}${target.extension}`), content: body };
    }
    default: {
      const suffix = target.upSuffix ? '.up.sql' : '.sql';
      return { path: path.join(target.dir, `${prefix}_${slug}${suffix}`), content: sqlBody };
    }
  }
}

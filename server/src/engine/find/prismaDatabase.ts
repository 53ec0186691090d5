// Which database a Prisma client talks to. `@prisma/client` serves PostgreSQL, MySQL, SQLite and SQL Server alike: the
// `provider` of the `datasource` block in the project's Prisma schema says which (`provider = "mysql"`), and Prisma's
// migrations folder repeats it in migration_lock.toml. dub's `prisma.$queryRaw` and `Prisma.sql` are MySQL's
// (backticks, `UPDATE a INNER JOIN b ... SET`): read as PostgreSQL they were 8 false syntax errors. Like databaseOf.ts
// this only ever takes SQL away from PostgreSQL: a schema that says PostgreSQL, several providers or nothing leaves the
// SQL PostgreSQL's, as it was.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside, readWorkspaceTextFile } from '../files';
import { POSTGRESQL } from './databaseNames';

/**
 * Prisma's datasource providers by the database names pglens uses. CockroachDB speaks PostgreSQL's protocol but
 * changes schemas online and plans on its own: PostgreSQL's lock warnings and plans would be about another database.
 */
const PROVIDERS: Record<string, string> = {
  postgresql: POSTGRESQL,
  postgres: POSTGRESQL,
  cockroachdb: 'cockroachdb',
  mysql: 'mysql',
  sqlite: 'sqlite',
  sqlserver: 'mssql',
  mongodb: 'mongodb',
};

export interface PrismaDecision {
  database: string;
  /** Completes "... whose ...": `schema apps/web/prisma/schema/schema.prisma says provider = "mysql"`. */
  because: string;
}

/** Prisma's raw-SQL methods and its `Prisma.sql` family, by the name written at the call: `tx.$queryRaw`, `Prisma.sql`. */
const PRISMA_RAW = /(?:^|\.)\$(?:queryRaw|executeRaw|queryRawUnsafe|executeRawUnsafe|queryRawTyped)$|^Prisma\.(?:sql|raw|join)$/;

export function isPrismaRawCallee(text: string): boolean {
  return PRISMA_RAW.test(text.replace(/<.*$/s, ''));
}

/** A package the decision chain ended in that is Prisma's client: `@prisma/client`, its subpaths, the generated `.prisma/client`. */
export function isPrismaPackage(source: string | undefined): boolean {
  return source !== undefined && /^(?:@prisma\/client|\.prisma\/client)(?:\/|$| )/.test(source);
}

/** Folders inside a folder D where Prisma schemas live: D itself, D/prisma, D/prisma/schema (multi-file), D/schema. */
const SCHEMA_FOLDERS = ['', 'prisma', path.join('prisma', 'schema'), 'schema'];
/** Folders read at most when no schema lies on the way up from a file (a monorepo's `packages/db/prisma`). */
const MAX_SCANNED_FOLDERS = 2000;
const MAX_SCAN_DEPTH = 4;
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'out', 'coverage', 'vendor']);
/** How long what was read from disk is taken as known (the language server sees an edited schema after it). */
const KNOWN_FOR_MS = 5_000;

interface Provider {
  database: string;
  provider: string;
  /** The schema or lock file that says it, relative to the root. */
  where: string;
}

/** One verdict for a set of schema files: one provider, `conflict` for several, undefined for none. */
type Verdict = Provider | 'conflict' | undefined;

export class PrismaProviders {
  private readonly byFolder = new Map<string, { verdict: Verdict; at: number }>();
  private workspace: { verdict: Verdict; at: number } | undefined;

  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
  ) {}

  /**
   * The database of the Prisma client a file of the workspace uses: the schema in the nearest folder upwards that has
   * one, else the one provider every schema of the workspace agrees on. Undefined when nothing says or they disagree.
   */
  databaseOfClient(file: string): PrismaDecision | undefined {
    const absolute = path.resolve(this.root, file);
    for (let folder = path.dirname(absolute); isInside(folder, this.root); folder = path.dirname(folder)) {
      const verdict = this.folderVerdict(folder);
      if (verdict === 'conflict') return undefined;
      if (verdict) return decision(verdict);
      if (folder === this.root || path.dirname(folder) === folder) break;
    }
    const whole = this.workspaceVerdict();
    return whole && whole !== 'conflict' ? decision(whole) : undefined;
  }

  /**
   * The database of a .sql file Prisma runs: a migration (`<migrations>/<name>/migration.sql` beside the folder's
   * migration_lock.toml) or a TypedSQL query (`prisma/sql/*.sql`, run through the client of the schema beside it).
   */
  databaseOfScript(file: string): PrismaDecision | undefined {
    const absolute = path.resolve(this.root, file);
    const folder = path.dirname(absolute);
    for (const candidate of [folder, path.dirname(folder)]) {
      if (!isInside(candidate, this.root)) break;
      const lock = this.readText(path.join(candidate, 'migration_lock.toml'));
      const provider = lock === undefined ? undefined : /^\s*provider\s*=\s*"([^"]+)"/m.exec(lock)?.[1];
      if (provider) return decision(providerOf(provider, path.join(candidate, 'migration_lock.toml'), this.root));
    }
    if (path.basename(folder) === 'sql') {
      const verdict = this.schemasIn(path.dirname(folder));
      if (verdict && verdict !== 'conflict') return decision(verdict);
    }
    return undefined;
  }

  private folderVerdict(folder: string): Verdict {
    const now = Date.now();
    const known = this.byFolder.get(folder);
    if (known && now - known.at < KNOWN_FOR_MS) return known.verdict;
    let verdict: Verdict;
    for (const sub of SCHEMA_FOLDERS) {
      verdict = agree(verdict, this.schemasIn(path.join(folder, sub)));
      if (verdict === 'conflict') break;
    }
    if (this.byFolder.size >= 2000) this.byFolder.clear();
    this.byFolder.set(folder, { verdict, at: now });
    return verdict;
  }

  /** The provider the `*.prisma` files directly inside a folder name in their `datasource` blocks. */
  private schemasIn(folder: string): Verdict {
    let verdict: Verdict;
    for (const file of prismaFilesIn(folder)) {
      const text = this.readText(file);
      if (text === undefined) continue;
      for (const provider of datasourceProviders(text)) {
        verdict = agree(verdict, providerOf(provider, file, this.root));
        if (verdict === 'conflict') return verdict;
      }
    }
    return verdict;
  }

  /** Every schema of the workspace, a few folders deep (not node_modules, build output or dot folders). */
  private workspaceVerdict(): Verdict {
    const now = Date.now();
    if (this.workspace && now - this.workspace.at < KNOWN_FOR_MS * 6) return this.workspace.verdict;
    let verdict: Verdict;
    let read = 0;
    const queue: { folder: string; depth: number }[] = [{ folder: this.root, depth: 0 }];
    while (queue.length > 0 && read < MAX_SCANNED_FOLDERS && verdict !== 'conflict') {
      const { folder, depth } = queue.shift()!;
      read++;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(folder, { withFileTypes: true });
      } catch {
        continue;
      }
      if (entries.some((entry) => entry.isFile() && entry.name.endsWith('.prisma'))) verdict = agree(verdict, this.schemasIn(folder));
      if (depth >= MAX_SCAN_DEPTH) continue;
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) queue.push({ folder: path.join(folder, entry.name), depth: depth + 1 });
      }
    }
    this.workspace = { verdict, at: now };
    return verdict;
  }

  private readText(file: string): string | undefined {
    try {
      if (!fs.statSync(file).isFile()) return undefined;
    } catch {
      return undefined;
    }
    const read = readWorkspaceTextFile(file, { root: this.root, maxBytes: this.maxBytes });
    return read.ok ? read.text : undefined;
  }
}

function prismaFilesIn(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.prisma'))
      .map((entry) => path.join(folder, entry.name))
      .sort()
      .slice(0, 100);
  } catch {
    return [];
  }
}

/** The `provider` string of each `datasource` block (`provider = env("DB")` and lists say nothing), comments left out. */
export function datasourceProviders(schema: string): string[] {
  const text = schema.replace(/\/\/.*$/gm, '');
  const providers: string[] = [];
  for (const block of text.matchAll(/\bdatasource\s+\w+\s*\{([^}]*)\}/g)) {
    const provider = /\bprovider\s*=\s*"([^"]+)"/.exec(block[1]);
    if (provider) providers.push(provider[1]);
  }
  return providers;
}

function providerOf(provider: string, file: string, root: string): Provider | 'conflict' | undefined {
  const database = PROVIDERS[provider.trim().toLowerCase()];
  if (!database) return undefined;
  return { database, provider, where: path.relative(root, file).split(path.sep).join('/') };
}

function agree(known: Verdict, next: Verdict): Verdict {
  if (known === 'conflict' || next === 'conflict') return 'conflict';
  if (!known) return next;
  if (!next) return known;
  return known.database === next.database ? known : 'conflict';
}

function decision(verdict: Provider | 'conflict' | undefined): PrismaDecision | undefined {
  if (!verdict || verdict === 'conflict') return undefined;
  const what = verdict.where.endsWith('migration_lock.toml') ? 'lock file' : 'schema';
  return { database: verdict.database, because: `${what} ${verdict.where} says provider = "${verdict.provider}"` };
}

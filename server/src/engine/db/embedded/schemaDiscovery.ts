// Which files hold the workspace's schema, in the order they would be applied. With `schema` globs from
// pglens.json those decide; otherwise the common migration layouts are detected: plain SQL folders
// (migrations/, db/migrations, supabase/migrations), Prisma (prisma/migrations/<stamp>_<name>/migration.sql),
// drizzle-kit's SQL output (drizzle/*.sql), sqlc's configured `schema`, folders of files a migration tool names
// (golang-migrate, Flyway, dbmate, goose) anywhere near the root, and whole-schema dumps (schema.sql, structure.sql).

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { isDownFile as isDownMigration } from '../../migrationScope';
import { databaseOfFileExtensions } from '../../find/databaseNames';
import { isScriptMigration } from './scriptMigrations';

/** Folders never searched: dependencies, VCS data, build output. */
const IGNORED_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'out', 'build', 'coverage', '.next']);

/** Migration folders, relative to the workspace root, in the order they are tried. */
const MIGRATION_FOLDERS = ['migrations', 'db/migrations', 'database/migrations', 'sql/migrations', 'supabase/migrations', 'drizzle', 'migrations/sql'];

/** Whole-schema files; used only when no migration folder was found, since a dump and migrations describe the same tables. */
const SCHEMA_DUMP_FILES = ['schema.sql', 'db/schema.sql', 'structure.sql', 'db/structure.sql', 'database/schema.sql', 'sql/schema.sql'];

/**
 * Returns absolute paths of the schema files of `workspaceRoot`, in application order.
 * Files ending in `.down.sql` (or `down.sql` inside a migration folder) are rollbacks and never applied.
 */
export async function discoverSchemaFiles(workspaceRoot: string, schemaGlobs?: string[]): Promise<string[]> {
  const root = path.resolve(workspaceRoot);
  if (schemaGlobs && schemaGlobs.length > 0) return filesMatchingGlobs(root, schemaGlobs);

  const found: string[] = [];
  const seen = new Set<string>();
  const add = (files: string[]) => {
    for (const file of files) {
      if (!seen.has(file)) {
        seen.add(file);
        found.push(file);
      }
    }
  };

  add(await prismaMigrationFiles(root));
  for (const folder of MIGRATION_FOLDERS) add(await migrationFolderFiles(path.join(root, folder)));
  if (found.length > 0) return found;

  // A monorepo keeps its Prisma schema in a package (packages/database/prisma/migrations, packages/prisma/migrations).
  for (const folder of await nestedPrismaMigrationFolders(root)) add(await prismaFolderFiles(folder));
  if (found.length > 0) return found;
  // ... or its drizzle-kit output in an app (apps/web/drizzle, packages/db/migrations with meta/_journal.json).
  for (const folder of await nestedDrizzleFolders(root)) add(await migrationFolderFiles(folder));
  if (found.length > 0) return found;

  // sqlc names its schema outright; otherwise a folder whose file names a migration tool writes (golang-migrate's
  // `000001_init.up.sql` in `db/migration`, Flyway's `V1__init.sql`, `sql/schema/001_users.sql` beside sqlc queries).
  add(await sqlcSchemaFiles(root));
  if (found.length > 0) return found;
  for (const folder of await namedMigrationFolders(root)) add(await migrationFolderFiles(folder));
  if (found.length > 0) return found;

  for (const candidate of SCHEMA_DUMP_FILES) {
    const file = path.join(root, candidate);
    if (await isFile(file)) return [file];
  }
  // Schema scripts kept per database, as Spring projects do (src/main/resources/db/postgres/schema.sql beside db/h2/
  // and db/mysql/): the one in a folder named for PostgreSQL.
  const perDatabase = await foldersBelow(root, async (directory, entries) =>
    /^(postgres|postgresql|pg|pgsql)$/i.test(path.basename(directory)) && entries.some((entry) => entry.isFile() && entry.name === 'schema.sql') ? true : undefined,
  );
  return perDatabase.length > 0 ? [path.join(perDatabase[0], 'schema.sql')] : [];
}

/** sqlc's configuration files, in the order sqlc looks for them. */
const SQLC_CONFIGS = ['sqlc.yaml', 'sqlc.yml', 'sqlc.json'];

/**
 * The `schema` paths of a sqlc configuration (version 1 `packages`, version 2 `sql`), relative to its folder, of the
 * entries whose engine is PostgreSQL (sqlc's `engine`, `postgresql` unless said). sqlc reads a schema folder's .sql
 * files in name order and leaves out golang-migrate's down files, as discovery does.
 */
export function sqlcSchemaPaths(configText: string, json: boolean): string[] {
  const entries: { engine?: string; schema: string[] }[] = [];
  if (json) {
    let config: { sql?: unknown; packages?: unknown };
    try {
      config = JSON.parse(configText);
    } catch {
      return [];
    }
    const list = Array.isArray(config.sql) ? config.sql : Array.isArray(config.packages) ? config.packages : [];
    for (const entry of list as { engine?: unknown; schema?: unknown }[]) {
      const schema = typeof entry?.schema === 'string' ? [entry.schema] : Array.isArray(entry?.schema) ? entry.schema.filter((item): item is string => typeof item === 'string') : [];
      entries.push({ engine: typeof entry?.engine === 'string' ? entry.engine : undefined, schema });
    }
  } else {
    // The few YAML shapes sqlc's own documentation writes: `- schema: "path"`, `schema: path`, or a list below it.
    let entry: { engine?: string; schema: string[] } | undefined;
    let listIndent = -1;
    let inSchemaList = -1;
    for (const line of configText.split(/\r?\n/)) {
      if (/^\s*(#|$)/.test(line)) continue;
      const indent = /^\s*/.exec(line)![0].length;
      const item = /^(\s*)-\s+(.*)$/.exec(line);
      if (inSchemaList >= 0 && item && indent > inSchemaList) {
        entry?.schema.push(unquoted(item[2]));
        continue;
      }
      inSchemaList = -1;
      if (item && (listIndent < 0 || indent <= listIndent) && /^\w+\s*:/.test(item[2])) {
        listIndent = indent;
        entry = { schema: [] };
        entries.push(entry);
      }
      const pair = /^\s*(?:-\s+)?(schema|engine)\s*:\s*(.*)$/.exec(line);
      if (!pair || !entry) continue;
      const value = pair[2].replace(/\s+#.*$/, '').trim();
      if (pair[1] === 'engine') entry.engine = unquoted(value);
      else if (value === '') inSchemaList = indent;
      else if (value.startsWith('[')) entry.schema.push(...value.slice(1, -1).split(',').map(unquoted).filter(Boolean));
      else entry.schema.push(unquoted(value));
    }
  }
  return entries.filter((entry) => (entry.engine ?? 'postgresql') === 'postgresql').flatMap((entry) => entry.schema);
}

function unquoted(value: string): string {
  return value.trim().replace(/^(["'])(.*)\1$/, '$2');
}

/** The schema files a sqlc configuration at the root names: files as given, folders' .sql files in name order. */
async function sqlcSchemaFiles(root: string): Promise<string[]> {
  for (const name of SQLC_CONFIGS) {
    const config = path.join(root, name);
    let text: string;
    try {
      text = await fs.readFile(config, 'utf8');
    } catch {
      continue;
    }
    const files: string[] = [];
    for (const schema of sqlcSchemaPaths(text, name.endsWith('.json'))) {
      const target = path.resolve(root, schema);
      // Only inside the workspace: a configuration is not a reason to read elsewhere.
      if (path.relative(root, target).startsWith('..')) continue;
      if (await isFile(target)) files.push(target);
      else files.push(...(await migrationFolderFiles(target)));
    }
    return files;
  }
  return [];
}

/** golang-migrate (`1_x.up.sql`), Flyway (`V1__x.sql`) and dbmate/goose (numbered with their markers) file names. */
const MIGRATION_FILE_NAME = /^(\d+_[^/]+\.up\.sql|[Vv]\d+(?:[._]\d+)*__[^/]+\.sql)$/;
const MARKED_MIGRATION = /^[ \t]*--[ \t]*(migrate:up|\+goose[ \t]+up)\b/im;
/** Folders of examples and tests hold other schemas than the application's. */
const NOT_THE_APPLICATION = /^(test|tests|testdata|fixtures?|examples?|samples?|docs?|vendor|third_party)$/i;

/**
 * Folders, up to five levels below the root (Spring's src/main/resources/db/migration), holding at least one file named or marked as a migration of a tool, in
 * path order; not under test, example or vendored folders.
 */
async function namedMigrationFolders(root: string): Promise<string[]> {
  return foldersBelow(root, async (directory, entries) => {
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.toLowerCase().endsWith('.sql')) continue;
      if (MIGRATION_FILE_NAME.test(entry.name)) return true;
      if (/^\d+_/.test(entry.name)) {
        const head = await fs.readFile(path.join(directory, entry.name), 'utf8').then((text) => text.slice(0, 4096), () => '');
        if (MARKED_MIGRATION.test(head)) return true;
      }
    }
    return undefined;
  });
}

/**
 * Folders below the root, up to five levels, in path order, that `verdict` takes (true); a folder it decides on (true
 * or false) is not searched further, one it leaves undecided (undefined) is. Test, example and vendored folders,
 * dependencies, build output and hidden folders are never searched.
 */
async function foldersBelow(root: string, verdict: (directory: string, entries: import('node:fs').Dirent[]) => Promise<boolean | undefined>): Promise<string[]> {
  const folders: string[] = [];
  const visit = async (directory: string, depth: number): Promise<void> => {
    const entries = await directoryEntries(directory);
    const decided = await verdict(directory, entries);
    if (decided !== undefined) {
      if (decided) folders.push(directory);
      return;
    }
    if (depth >= 5) return;
    for (const entry of [...entries].sort((a, b) => naturalCompare(a.name, b.name))) {
      if (entry.isDirectory() && !IGNORED_DIRECTORIES.has(entry.name) && !entry.name.startsWith('.') && !NOT_THE_APPLICATION.test(entry.name)) {
        await visit(path.join(directory, entry.name), depth + 1);
      }
    }
  };
  await visit(root, 0);
  return folders;
}

/** Files under `root` matching any of `globs` (relative to root, forward slashes), in migration order. */
async function filesMatchingGlobs(root: string, globs: string[]): Promise<string[]> {
  const positive = globs.filter((glob) => !glob.startsWith('!')).map(normalizeGlob);
  const negative = globs.filter((glob) => glob.startsWith('!')).map((glob) => normalizeGlob(glob.slice(1)));
  const isIncluded = picomatch(positive, { dot: false });
  const isExcluded = negative.length > 0 ? picomatch(negative) : () => false;
  const all = await walkFiles(root, root);
  const matched = all.filter((relative) => isIncluded(relative) && !isExcluded(relative) && !isDownMigration(relative));
  return sortInApplicationOrder(matched).map((relative) => path.join(root, relative));
}

function normalizeGlob(glob: string): string {
  return glob.replace(/\\/g, '/').replace(/^\.\//, '');
}

/** All files below `directory` as paths relative to `root` with forward slashes, skipping ignored folders. */
async function walkFiles(directory: string, root: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!IGNORED_DIRECTORIES.has(entry.name)) files.push(...(await walkFiles(full, root)));
    } else if (entry.isFile()) {
      files.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return files;
}

/** prisma/migrations/<timestamp>_<name>/migration.sql, ordered by folder name as `prisma migrate` does. */
async function prismaMigrationFiles(root: string): Promise<string[]> {
  return prismaFolderFiles(path.join(root, 'prisma', 'migrations'));
}

/**
 * Prisma migrations folders below the root (up to five levels, not under test, example or vendored folders), in path
 * order: a folder holding `migration_lock.toml`, whose provider is PostgreSQL (Prisma writes the lock file in every
 * migrations folder; one of another provider is not this schema). Several (a second database of the monorepo) are all
 * applied; a table both create is a schema problem the load reports, not a failure.
 */
async function nestedPrismaMigrationFolders(root: string): Promise<string[]> {
  return foldersBelow(root, async (directory, entries) => {
    if (!entries.some((entry) => entry.isFile() && entry.name === 'migration_lock.toml')) return undefined;
    const lock = await fs.readFile(path.join(directory, 'migration_lock.toml'), 'utf8').then((text) => text.slice(0, 4096), () => '');
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock)?.[1];
    return provider === undefined || provider === 'postgresql' || provider === 'postgres' || provider === 'cockroachdb';
  });
}

/**
 * drizzle-kit output folders below the root (up to five levels, not under test, example or vendored folders), in path
 * order: a folder holding `meta/_journal.json` whose dialect is PostgreSQL's (`postgresql`, or `pg` before
 * drizzle-kit 0.21); its .sql files are the migrations, in the order of their numbered names.
 */
async function nestedDrizzleFolders(root: string): Promise<string[]> {
  return foldersBelow(root, async (directory, entries) => {
    if (!entries.some((entry) => entry.isDirectory() && entry.name === 'meta')) return undefined;
    const journal = await fs.readFile(path.join(directory, 'meta', '_journal.json'), 'utf8').then((text) => text.slice(0, 4096), () => undefined);
    const dialect = journal === undefined ? undefined : /"dialect"\s*:\s*"([^"]*)"/.exec(journal)?.[1];
    return dialect === 'postgresql' || dialect === 'pg' ? true : undefined;
  });
}

/** <folder>/<timestamp>_<name>/migration.sql, ordered by folder name as `prisma migrate` does. */
async function prismaFolderFiles(folder: string): Promise<string[]> {
  const names = await directoryEntries(folder);
  const files: string[] = [];
  for (const name of names.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort(naturalCompare)) {
    const file = path.join(folder, name, 'migration.sql');
    if (await isFile(file)) files.push(file);
  }
  return files;
}

/**
 * The .sql files of one migration folder. Tools keep one file per migration (`0001_init.sql`,
 * `20240101120000_add_users.sql`, `001_init.up.sql`) or one folder per migration (`20240101_init/up.sql`);
 * both are ordered by name, which carries the timestamp or sequence number.
 */
async function migrationFolderFiles(folder: string): Promise<string[]> {
  const entries = await directoryEntries(folder);
  const files: string[] = [];
  const sorted = [...entries].sort((a, b) => naturalCompare(a.name, b.name));
  for (const entry of sorted) {
    const full = path.join(folder, entry.name);
    if (entry.isFile() && entry.name.toLowerCase().endsWith('.sql') && !isDownMigration(full) && isForPostgres(entry.name)) {
      files.push(full);
    } else if (entry.isDirectory() && !IGNORED_DIRECTORIES.has(entry.name) && entry.name !== 'meta') {
      // One folder per migration: up.sql / migration.sql / *.up.sql inside it.
      const inner = (await directoryEntries(full))
        .filter((child) => child.isFile() && child.name.toLowerCase().endsWith('.sql') && !isDownMigration(path.join(full, child.name)) && isForPostgres(child.name))
        .map((child) => child.name)
        .sort(naturalCompare);
      files.push(...inner.map((name) => path.join(full, name)));
    }
  }
  // A folder of script migrations (ley, Kysely, knex, node-pg-migrate) and no SQL files: the scripts' SQL is the schema.
  if (files.length === 0) files.push(...sorted.filter((entry) => entry.isFile() && isScriptMigration(entry.name)).map((entry) => path.join(folder, entry.name)));
  return files;
}

/** A script not named for another database (`x.sqlite3.up.sql`, `x.mysql.up.sql` are not PostgreSQL's schema). */
function isForPostgres(fileName: string): boolean {
  const database = databaseOfFileExtensions(fileName);
  return database === undefined || database === 'postgresql';
}

/**
 * Natural order: digit runs compare as numbers (`2_x` before `10_x`), the rest by code point, so both
 * zero-padded sequences and unpadded ones sort the way their authors meant.
 */
export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+|\D+)/g;
  const partsA = a.match(chunk) ?? [];
  const partsB = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
    const x = partsA[i];
    const y = partsB[i];
    if (x === y) continue;
    const xIsNumber = /^\d/.test(x);
    const yIsNumber = /^\d/.test(y);
    if (xIsNumber && yIsNumber) {
      const difference = BigInt(x) - BigInt(y);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
      if (x.length !== y.length) return x.length - y.length;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return partsA.length - partsB.length;
}

/** Orders relative paths folder by folder, each level naturally, so `a/2_x.sql` < `a/10_x.sql` < `b/1.sql`. */
function sortInApplicationOrder(relativePaths: string[]): string[] {
  return [...relativePaths].sort((a, b) => {
    const partsA = a.split('/');
    const partsB = b.split('/');
    for (let i = 0; i < Math.min(partsA.length, partsB.length); i++) {
      if (partsA[i] === partsB[i]) continue;
      return naturalCompare(partsA[i], partsB[i]);
    }
    return partsA.length - partsB.length;
  });
}

async function directoryEntries(folder: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await fs.readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

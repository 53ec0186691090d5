// Quick fixes that write a migration ("Add index", the VALIDATE CONSTRAINT after "Add NOT VALID") write it the way the
// project already writes them: its folder, its file naming (timestamp or sequence prefix), its tool's layout (Prisma,
// knex, node-pg-migrate, dbmate, golang-migrate, Flyway, Supabase, plain SQL).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFrameworkConfigText, readWorkspaceTextFile } from '../files';
import { parseToJson } from '../parse/libpgQuery';
import { assertSingleStatement, GeneratedSqlError, quoteIdentifier } from '../sqlText';
import { assertIndexDefinition, type IndexCandidate } from './candidates';

export type MigrationLayout = 'prisma' | 'supabase' | 'drizzle' | 'knex' | 'node-pg-migrate' | 'dbmate' | 'plain-sql';

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
  /** The workspace root the folder must be inside (set by detectMigrationTarget). */
  root?: string;
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
  const target = { ...detectMigrationTargetNow(root, configuredDir), root: path.resolve(root) };
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
  if (/"node-pg-migrate"\s*:/.test(readFrameworkConfigText(path.join(root, 'package.json'), root))) {
    const dir = path.join(root, 'migrations');
    return base('node-pg-migrate', dir, listing(dir).some((n) => n.endsWith('.ts')) ? '.ts' : '.js');
  }
  for (const candidate of PLAIN_DIRS) {
    const dir = path.join(root, candidate);
    if (exists(dir)) return base(isDbmateFolder(dir, root) ? 'dbmate' : 'plain-sql', dir);
  }
  return base('plain-sql', path.join(root, 'migrations'));
}

/**
 * Where the next migration after `file` (a migration of the tool `framework`, as locks/migrations.ts names it) goes:
 * beside it, in its tool's layout. Undefined for a tool pglens writes no migrations for (graphile-migrate keeps
 * hashes of committed migrations; sequelize's are scripts of its own API) and for a script of no known tool.
 */
export function migrationTargetBeside(file: string, framework: string | undefined): MigrationTarget | undefined {
  const isScript = /\.(js|cjs|mjs|ts|mts|cts)$/.test(file);
  const extension: MigrationTarget['extension'] = /\.ts$/.test(file) ? '.ts' : '.js';
  const base = (layout: MigrationLayout, dir: string, ext: MigrationTarget['extension'] = '.sql'): MigrationTarget => ({ ...namingOf(listing(dir)), layout, dir, extension: ext, root: dir });
  const dir = path.dirname(file);
  switch (framework) {
    case 'prisma':
      return base('prisma', path.dirname(dir));
    case 'dbmate':
      return base('dbmate', dir);
    case 'supabase':
      return base('supabase', dir);
    case 'drizzle':
      return base('drizzle', dir);
    case 'knex':
      return base('knex', dir, extension);
    case 'node-pg-migrate':
      return base('node-pg-migrate', dir, extension);
    case 'graphile-migrate':
    case 'sequelize':
      return undefined;
    default:
      return isScript ? undefined : base('plain-sql', dir);
  }
}

/** dbmate's folder: its .sql files start with `-- migrate:up` (the last few files are enough to tell). */
function isDbmateFolder(dir: string, root: string): boolean {
  const sqlFiles = listing(dir).filter((n) => n.endsWith('.sql')).sort().slice(-3);
  return sqlFiles.some((name) => {
    const read = readWorkspaceTextFile(path.join(dir, name), { root, maxBytes: 1024 * 1024 });
    return read.ok && /^--\s*migrate:up\b/m.test(read.text);
  });
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
  /**
   * The file already exists and creates this index (an earlier "Add index" wrote it): nothing new is written, the
   * fix points at it instead of adding a second migration for the same index.
   */
  reused?: boolean;
  /** The SQL statements the file runs, each re-parsed before the file was written (checkMigrationFile checks again). */
  statements?: string[];
}

/** A migration pglens will not write: its path would leave the migrations folder, or its SQL is not what was meant. */
export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefused';
  }
}

/** The longest file-name part pglens derives from index names (file systems allow 255 bytes; prefixes need room). */
const MAX_SLUG_LENGTH = 80;

/** A file-name part of only [a-z0-9_-]: no separators, no dots, no `..`, bounded. */
export function sanitizeFileNamePart(text: string, maxLength = MAX_SLUG_LENGTH): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, maxLength)
    .replace(/[_-]+$/, '');
  return cleaned || 'index';
}

/** Whether `child` is `parent` itself or inside it, after resolving both (no `..` escapes, no other drive). */
function isInside(parent: string, child: string): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative) && !relative.split(path.sep).includes('..'));
}

/** Line breaks out of text that goes into a `--` or `//` comment, where one would end the comment. */
function commentText(line: string): string {
  return line.replace(/[\r\n\u2028\u2029\u0085\u0000]+/g, ' ');
}

export interface MigrationIndex {
  name: string;
  /** What follows `CREATE INDEX name` (candidates.ts indexDefinition). */
  definition: string;
  /** The candidate the definition was made from: the statement is checked to be exactly its index. */
  candidate?: IndexCandidate;
}

/**
 * A migration creating the index without blocking writes: CREATE INDEX CONCURRENTLY IF NOT EXISTS, which cannot run
 * inside a transaction block, so the file says so (and knex's gets `config.transaction = false`). Every statement is
 * re-parsed before it is written, the file name is made of [a-z0-9_-] only, and the path must stay inside the
 * migrations folder (and that folder inside the workspace root): otherwise MigrationRefused, and no file.
 */
export function writeIndexMigration(
  target: MigrationTarget,
  input: { indexes: MigrationIndex[]; comment: string[]; now?: Date; preamble?: string[] },
): MigrationFile {
  const existing = findIndexMigration(target, input.indexes.map((index) => index.name));
  if (existing) return existing;
  if (target.layout === 'drizzle') {
    // drizzle's migrator applies pending migrations inside one transaction, where CONCURRENTLY fails, and pglens's
    // own concurrently-in-transaction rule would flag the file it wrote: no file, the SQL to copy instead.
    throw new MigrationRefused(
      "pglens did not write a migration: drizzle's migrator runs migrations inside a transaction, where CREATE INDEX CONCURRENTLY fails; run the CREATE INDEX CONCURRENTLY outside the migrator (copy the SQL)",
    );
  }
  const creates = input.indexes.map((index) => createStatement(index));
  const drops = input.indexes.map((index) => `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdentifier(index.name)};`);
  const preamble = (input.preamble ?? []).map((sql) => {
    assertSingleStatement(sql, 'CreateExtensionStmt', (create) => (create.extname === 'pg_trgm' ? undefined : `the extension ${String(create.extname)} where pg_trgm was meant`));
    return sql;
  });
  return writeStatementMigration(target, {
    name: `add_${input.indexes[0].name}`,
    comment: input.comment,
    up: [...preamble, ...creates],
    down: drops,
    outsideTransaction: 'CREATE INDEX CONCURRENTLY',
    now: input.now,
  });
}

export interface StatementMigration {
  /** What the file name says after its prefix (made safe by sanitizeFileNamePart). */
  name: string;
  /** Lines of the comment at the top of the file. */
  comment: string[];
  /** The statements of the migration, each one statement ending in `;` of a kind migrationStatementKind allows. */
  up: string[];
  /** What undoes them (golang-migrate-style `.up.sql` and plain SQL files carry no down part). */
  down: string[];
  /**
   * The statement that cannot run inside a transaction block (`CREATE INDEX CONCURRENTLY`), when one of `up` is such:
   * the file then carries its tool's no-transaction marker, and a tool that sends a file as one query gets a file of
   * one statement only.
   */
  outsideTransaction?: string;
  now?: Date;
}

/** Tools that send a migration file to PostgreSQL as one query (several statements: one implicit transaction block). */
function oneQueryToolOf(target: MigrationTarget): string | undefined {
  // Prisma and golang-migrate send a file as one query, and so does dbmate its up section even with transaction:false.
  if (target.layout === 'prisma') return 'Prisma';
  if (target.layout === 'dbmate') return 'dbmate';
  return target.upSuffix && target.layout === 'plain-sql' ? 'golang-migrate' : undefined;
}

/**
 * A migration of the given statements in the project's layout: its folder, its naming (timestamp, sequence or
 * Flyway prefix, `.up.sql`), its tool's file shape (Prisma folder, dbmate sections, knex and node-pg-migrate
 * scripts). Every statement is re-parsed and must be of a kind pglens writes (checkMigrationFile), the file name is
 * made of [a-z0-9_-] only, and the path must stay inside the migrations folder: otherwise MigrationRefused, no file.
 */
export function writeStatementMigration(target: MigrationTarget, input: StatementMigration): MigrationFile {
  if (target.layout === 'drizzle') {
    // drizzle-kit's migrator runs only the migrations listed in its journal (meta/_journal.json), which pglens does not edit.
    throw new MigrationRefused("pglens did not write a migration: drizzle-kit runs only the migrations its journal lists (drizzle-kit generate --custom writes one); copy the SQL into it");
  }
  const outside = input.outsideTransaction;
  const oneQueryTool = oneQueryToolOf(target);
  if (outside && oneQueryTool && input.up.length > 1) {
    // Several statements in one query run in one implicit transaction block, where CONCURRENTLY fails.
    throw new MigrationRefused(
      `pglens did not write a migration: ${oneQueryTool} sends a migration file as one query, so its ${input.up.length} statements would run in one transaction block where ${outside} fails; put each statement in a migration of its own`,
    );
  }
  const slug = sanitizeFileNamePart(input.name);
  const prefix = nextPrefix(target, input.now ?? new Date());
  const comments = [
    ...input.comment.map(commentText),
    ...(!outside
      ? []
      : oneQueryTool
        ? [`${outside} cannot run inside a transaction block: ${oneQueryTool} runs a migration of a single statement outside one, so keep it alone in this file.`]
        : [`${outside} cannot run inside a transaction block: run this migration outside one.`]),
  ];
  const sqlBody = [...comments.map((line) => `-- ${line}`), ...input.up, ''].join('\n');
  let file: MigrationFile;
  switch (target.layout) {
    case 'prisma':
      file = { path: path.join(target.dir, `${prefix}_${slug}`, 'migration.sql'), content: sqlBody, statements: input.up };
      break;
    case 'knex': {
      // One knex.raw per statement: several statements in one query would run in one implicit transaction block.
      const calls = (statements: string[]) =>
        statements.length === 0
          ? 'async () => {}'
          : statements.length === 1
            ? `(knex) => knex.raw(${JSON.stringify(statements[0])})`
            : `async (knex) => {\n${statements.map((sql) => `  await knex.raw(${JSON.stringify(sql)});`).join('\n')}\n}`;
      const body = [
        ...comments.map((line) => `// ${line}`),
        ...(outside ? ['exports.config = { transaction: false };', ''] : []),
        `exports.up = ${calls(input.up)};`,
        '',
        `exports.down = ${calls(input.down)};`,
        '',
      ].join('\n');
      file = { path: path.join(target.dir, `${prefix}_${slug}${target.extension}`), content: body, statements: [...input.up, ...input.down] };
      break;
    }
    case 'node-pg-migrate': {
      // One pgm.sql per statement; pgm.noTransaction() runs the migration outside a transaction.
      const calls = (statements: string[], noTransaction: boolean) =>
        `(pgm) => {\n${[...(noTransaction ? ['  pgm.noTransaction();'] : []), ...statements.map((sql) => `  pgm.sql(${JSON.stringify(sql)});`)].join('\n')}\n}`;
      const body = [
        ...comments.map((line) => `// ${line}`),
        `exports.up = ${calls(input.up, outside !== undefined)};`,
        '',
        `exports.down = ${calls(input.down, outside !== undefined)};`,
        '',
      ].join('\n');
      file = { path: path.join(target.dir, `${prefix}_${slug}${target.extension}`), content: body, statements: [...input.up, ...input.down] };
      break;
    }
    case 'dbmate': {
      // dbmate reads `-- migrate:up` first; transaction:false runs the file outside a transaction.
      const marker = outside ? ' transaction:false' : '';
      const body = [`-- migrate:up${marker}`, ...comments.map((line) => `-- ${line}`), ...input.up, '', `-- migrate:down${marker}`, ...input.down, ''].join('\n');
      file = { path: path.join(target.dir, `${prefix}_${slug}.sql`), content: body, statements: [...input.up, ...input.down] };
      break;
    }
    default: {
      const suffix = target.upSuffix ? '.up.sql' : '.sql';
      file = { path: path.join(target.dir, `${prefix}_${slug}${suffix}`), content: sqlBody, statements: input.up };
    }
  }
  checkMigrationFile(file, target);
  return file;
}

/**
 * The new file's prefix: the next sequence or Flyway version, else a timestamp in the folder's style (14-digit UTC
 * time, or node-pg-migrate's 13-digit milliseconds), never sorting before the folder's last file.
 */
function nextPrefix(target: MigrationTarget, now: Date): string {
  if (target.prefix === 'sequence') return String(target.nextSequence).padStart(target.sequenceWidth, '0');
  if (target.prefix === 'flyway') return `V${target.nextSequence}_`;
  const names = listing(target.dir);
  const milliseconds = names.some((n) => /^\d{13}[_-]/.test(n)) && !names.some((n) => /^\d{14}[_-]/.test(n));
  const stamp = milliseconds ? String(now.getTime()) : timestamp(now);
  const last = names.map((n) => /^(\d{12,14})[_-]/.exec(n)?.[1]).filter((n): n is string => n !== undefined && n.length === stamp.length).sort().at(-1);
  // A folder whose last migration is dated after `now` (a clock behind, a hand-written date): the next number after it.
  return last !== undefined && last >= stamp ? String(BigInt(last) + 1n) : stamp;
}

/**
 * The migration in the folder that already creates one of these indexes (`CREATE INDEX ... <name>`), if any: a file of
 * the folder, or a Prisma migration folder's migration.sql. Only pglens-written files are plain enough to reuse; any
 * file naming the index in a CREATE INDEX counts, so a second migration for the same index is never written.
 */
function findIndexMigration(target: MigrationTarget, names: string[]): MigrationFile | undefined {
  const patterns = names.map((name) => new RegExp(`\\bCREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:${escapeRegExp(name)}|${escapeRegExp(quoteIdentifier(name))}|"${escapeRegExp(name)}")(?![\\w$])`, 'i'));
  const candidates = listing(target.dir)
    .sort()
    .reverse()
    .map((name) => (target.layout === 'prisma' ? path.join(target.dir, name, 'migration.sql') : path.join(target.dir, name)))
    .filter((file) => /\.(sql|js|ts)$/.test(file));
  for (const file of candidates) {
    const read = readWorkspaceTextFile(file, { root: target.root ?? target.dir, maxBytes: 1024 * 1024 });
    if (read.ok && patterns.some((pattern) => pattern.test(read.text))) return { path: file, content: read.text, reused: true };
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `CREATE INDEX CONCURRENTLY IF NOT EXISTS name ...;`, parsed again: one CREATE INDEX CONCURRENTLY named `name`. */
function createStatement(index: MigrationIndex): string {
  const sql = `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdentifier(index.name)} ${index.definition}`;
  if (index.candidate) assertIndexDefinition(sql, index.candidate, index.name);
  assertSingleStatement(sql, 'IndexStmt', (create) => (create.idxname !== index.name ? `an index named ${String(create.idxname)} where ${index.name} was meant` : create.concurrent !== true ? 'CREATE INDEX without CONCURRENTLY' : undefined));
  return `${sql};`;
}

/**
 * The check of a migration file before it is offered and before it is created (codeActions.ts runs it again): its
 * name is made of safe characters, its path stays inside the migrations folder (and, when known, the folder inside
 * the workspace), and an SQL file parses to exactly its statements. Throws MigrationRefused with the reason.
 */
export function checkMigrationFile(file: MigrationFile, target?: Pick<MigrationTarget, 'dir' | 'root'>): void {
  const resolved = path.resolve(file.path);
  if (resolved !== path.normalize(file.path) || file.path.split(/[\\/]/).includes('..')) throw new MigrationRefused(`pglens refused to write the migration ${JSON.stringify(file.path)}: its path is not a plain absolute path`);
  const name = path.basename(resolved);
  if (!/^[A-Za-z0-9_-]+(\.up)?\.(sql|js|ts)$/.test(name)) throw new MigrationRefused(`pglens refused to write the migration ${JSON.stringify(name)}: a migration file name is made of letters, digits, _ and - only`);
  if (target) {
    if (target.root !== undefined && !isInside(target.root, target.dir)) {
      throw new MigrationRefused(`pglens refused to write a migration in ${target.dir}: the migrations folder is outside the workspace ${target.root}`);
    }
    if (!isInside(target.dir, resolved) || path.resolve(target.dir) === resolved) {
      throw new MigrationRefused(`pglens refused to write the migration ${JSON.stringify(file.path)}: it is not inside the migrations folder ${target.dir}`);
    }
    const relative = path.relative(path.resolve(target.dir), resolved).split(path.sep);
    if (relative.length > 2 || relative.slice(0, -1).some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
      throw new MigrationRefused(`pglens refused to write the migration ${JSON.stringify(file.path)}: only a plain file (or a Prisma migration folder) goes in the migrations folder`);
    }
  }
  try {
    for (const sql of file.statements ?? []) assertSingleStatement(sql, statementKind(sql), statementCheck(statementKind(sql)));
    if (name.endsWith('.sql')) {
      // The whole file, comments included, is exactly its statements: a line break smuggled into a comment would show here.
      const expected = (file.statements ?? []).map(statementKind);
      const kinds = parseStatements(file.content);
      if (kinds.length !== expected.length || kinds.some((kind, i) => kind !== expected[i])) {
        throw new GeneratedSqlError(`the file holds ${kinds.join(', ') || 'no statements'} where ${expected.join(', ')} were meant`);
      }
    }
  } catch (error) {
    if (error instanceof GeneratedSqlError) throw new MigrationRefused(`pglens refused to write the migration ${JSON.stringify(name)}: ${error.message.replace(/^pglens refused generated SQL: /, '')}`);
    throw error;
  }
}

/**
 * The one kind each statement pglens writes in a migration must parse to: CREATE EXTENSION, CREATE INDEX, DROP INDEX,
 * SET lock_timeout and the ALTER TABLE of FOLLOW_UP_COMMANDS, nothing else (checkMigrationFile checks what it parses to).
 */
function statementKind(sql: string): string {
  // A statement may come after comment lines of its own (a pglens-ignore with its reason).
  const statement = sql.replace(/^(?:--[^\n]*\n)+/, '');
  if (/^SET lock_timeout\b/.test(statement)) return 'VariableSetStmt';
  return /^CREATE EXTENSION/.test(statement) ? 'CreateExtensionStmt' : /^DROP INDEX/.test(statement) ? 'DropStmt' : /^ALTER TABLE/.test(statement) ? 'AlterTableStmt' : 'IndexStmt';
}

/**
 * The ALTER TABLE commands of the migrations lock fixes write after the flagged one: VALIDATE CONSTRAINT (after NOT
 * VALID), and SET NOT NULL then DROP CONSTRAINT of the CHECK that proved it (setting-not-null).
 */
const FOLLOW_UP_COMMANDS = new Set(['AT_ValidateConstraint', 'AT_SetNotNull', 'AT_DropConstraint']);

/** What a statement of a kind pglens writes in migrations must also be: a DROP drops an index, an ALTER TABLE only finishes a lock fix. */
function statementCheck(kind: string): ((body: Record<string, any>) => string | undefined) | undefined {
  if (kind === 'VariableSetStmt') return (set) => (set.name === 'lock_timeout' && set.kind === 'VAR_SET_VALUE' ? undefined : 'a SET of something else than lock_timeout');
  if (kind === 'DropStmt') return (drop) => (drop.removeType === 'OBJECT_INDEX' ? undefined : 'a DROP that does not drop an index');
  if (kind === 'AlterTableStmt') {
    return (alter) => {
      const commands = ((alter.cmds ?? []) as { AlterTableCmd?: { subtype?: string } }[]).map((c) => c.AlterTableCmd?.subtype);
      return commands.length > 0 && commands.every((subtype) => subtype !== undefined && FOLLOW_UP_COMMANDS.has(subtype)) ? undefined : 'an ALTER TABLE that does more than VALIDATE CONSTRAINT, SET NOT NULL or DROP CONSTRAINT';
    };
  }
  return undefined;
}

function parseStatements(sql: string): string[] {
  const kinds: string[] = [];
  try {
    const parsed = parseToJson(sql) as { stmts?: { stmt?: Record<string, unknown> }[] };
    for (const statement of parsed.stmts ?? []) kinds.push(Object.keys(statement.stmt ?? {})[0] ?? 'empty');
  } catch (error) {
    throw new GeneratedSqlError(`it does not parse (${(error as Error).message})`);
  }
  return kinds;
}

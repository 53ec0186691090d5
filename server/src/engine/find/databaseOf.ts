// Which database a piece of SQL in a JS/TS file is for, decided by where its tag or client comes from, never by its
// name: `sql` imported from slonik is PostgreSQL's, `sql` imported from a project module that builds it with
// @clickhouse/client is ClickHouse's. The root identifier of the tag or callee (`sql` in sql`...`, `db` in
// db.query(...), `this.pool` in this.pool.query(...)) is followed through the syntax tree alone: to its declaration in
// scope, its initializer or type annotation, a class property or constructor parameter, an import or require, and
// through relative imports into the project's own modules (read with files.ts, parsed once per version of the file,
// a bounded number of hops). pglens.json `databases` names a project's own wrappers and folders outright.
// Undecided is PostgreSQL, as it always was: this only ever takes SQL away from the checks, when it is known to be
// another database's.

import * as fs from 'node:fs';
import * as path from 'node:path';
import ts = require('typescript');
import picomatch from 'picomatch';
import type { DatabaseSetting } from '../config';
import { isInside, readWorkspaceTextFile } from '../files';
import type { SqlSite } from '../types';
import { databaseLabel, POSTGRESQL } from './databaseNames';
import { databaseOfBranch, databaseOfPathName } from './databaseOfContext';
import { PathAliases } from './pathAliases';
import { isPrismaPackage, isPrismaRawCallee, PrismaProviders } from './prismaDatabase';
import { foreignDialectOf, lineOf, type DialectMarker } from './sqlDialect';
import { unwrap as unwrapValue } from './typescript';

const SK = ts.SyntaxKind;

// ---------------------------------------------------------------------------------------------------------
// Settings (pglens.json `databases`), compiled once per config

export interface DatabaseSettings {
  /** Folder of the config: project paths are relative to it and no module outside it is read. */
  root: string;
  maxBytes: number;
  rules: DatabaseRule[];
}

interface DatabaseRule {
  database: string;
  /** The key as written in pglens.json, for messages: `databases.clickhouse`. */
  key: string;
  /** Package specifiers: `@acme/ch` matches `@acme/ch` and `@acme/ch/...`. */
  packages: string[];
  /** Project-path entries as written (`./src/clickhouse`), also matched against an import's text as written. */
  relativeSpecifiers: Set<string>;
  /** Project paths (relative to the root, `/`-separated), matched against the file an import resolves to. */
  projectPath?: (relative: string) => boolean;
  /** `paths` globs: every SQL of a file they match is this database's. */
  paths?: (relative: string) => boolean;
  pathGlobs: string[];
}

export function databaseSettingsOf(config: { root: string; files: { maxBytes: number }; databases?: Record<string, DatabaseSetting> }): DatabaseSettings {
  const rules: DatabaseRule[] = [];
  for (const [database, setting] of Object.entries(config.databases ?? {})) {
    const packages: string[] = [];
    const projectPatterns: string[] = [];
    const relativeSpecifiers = new Set<string>();
    for (const entry of setting.imports) {
      const trimmed = entry.trim();
      if (trimmed.startsWith('.') || trimmed.startsWith('/') || /[*?{[(]/.test(trimmed)) {
        if (trimmed.startsWith('.')) relativeSpecifiers.add(trimmed);
        projectPatterns.push(toProjectPattern(trimmed, config.root));
      } else {
        // `@acme/ch` is a package; `packages/api/src/sql` is a project path written without `./`: both are tried.
        packages.push(trimmed);
        projectPatterns.push(toProjectPattern(trimmed, config.root));
      }
    }
    rules.push({
      database,
      key: setting.key,
      packages,
      relativeSpecifiers,
      projectPath: projectPatterns.length > 0 ? picomatch(projectPatterns, { dot: true }) : undefined,
      paths: setting.paths.length > 0 ? picomatch(setting.paths, { dot: true }) : undefined,
      pathGlobs: setting.paths,
    });
  }
  return { root: path.resolve(config.root), maxBytes: config.files.maxBytes, rules };
}

/** `./src/clickhouse/` -> `src/clickhouse`; an absolute path inside the root becomes relative to it. */
function toProjectPattern(entry: string, root: string): string {
  let pattern = entry.replace(/\\/g, '/');
  if (path.isAbsolute(pattern)) pattern = path.relative(root, pattern).replace(/\\/g, '/');
  return pattern.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

/** Path of `file` relative to the root, `/`-separated; undefined outside it. */
function projectRelative(settings: DatabaseSettings, file: string): string | undefined {
  const absolute = path.resolve(settings.root, file);
  if (!isInside(absolute, settings.root)) return undefined;
  return path.relative(settings.root, absolute).split(path.sep).join('/');
}

/** What the SQL of a file is for by `databases.<name>.paths` alone, PostgreSQL included. */
export function databaseOfPath(file: string, settings: DatabaseSettings | undefined): DatabaseDecision | undefined {
  if (!settings) return undefined;
  const relative = projectRelative(settings, file);
  if (relative === undefined) return undefined;
  for (const rule of settings.rules) {
    if (!rule.paths?.(relative)) continue;
    const glob = rule.pathGlobs.find((candidate) => picomatch.isMatch(relative, candidate, { dot: true })) ?? rule.pathGlobs[0];
    return { database: rule.database, because: `path matches pglens.json ${rule.key}.paths "${glob}"` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Packages

/** A decision and why: `because` completes "tag `sql` ..." (e.g. "from ./clickhouse, which imports @clickhouse/client"). */
export interface DatabaseDecision {
  database: string;
  because: string;
  /** The package the decision ends in (`pg-promise`, `slonik`), when a package decided it. */
  source?: string;
}

/** Where a binding's database was decided: the package (or config entry) at the end of the chain. */
interface Origin {
  database: string;
  /** "@clickhouse/client", "./clickhouse, which imports @clickhouse/client", "knex with client 'mysql2'" */
  summary: string;
  /** The package the chain ends in, for "which imports ...". */
  source: string;
  /** A package whose instances decide by their options (knex's `client`, Kysely's `dialect`). */
  configurable?: 'knex' | 'kysely';
}

const PACKAGES: Record<string, string | undefined> = {
  slonik: POSTGRESQL,
  pg: POSTGRESQL,
  'pg-pool': POSTGRESQL,
  'pg-native': POSTGRESQL,
  'pg-promise': POSTGRESQL,
  'pg-query-stream': POSTGRESQL,
  'pg-cursor': POSTGRESQL,
  'pg-sql2': POSTGRESQL,
  postgres: POSTGRESQL,
  '@prisma/client': POSTGRESQL,
  kysely: POSTGRESQL,
  'kysely-postgres-js': POSTGRESQL,
  '@vercel/postgres': POSTGRESQL,
  '@neondatabase/serverless': POSTGRESQL,
  'sql-template-strings': POSTGRESQL,
  '@databases/pg': POSTGRESQL,
  '@electric-sql/pglite': POSTGRESQL,
  '@supabase/supabase-js': POSTGRESQL,
  knex: POSTGRESQL,
  // drizzle-orm itself (its `sql` tag) serves every dialect; its drivers and cores do not
  'drizzle-orm': undefined,
  'drizzle-orm/pg-core': POSTGRESQL,
  'drizzle-orm/node-postgres': POSTGRESQL,
  'drizzle-orm/postgres-js': POSTGRESQL,
  'drizzle-orm/neon-http': POSTGRESQL,
  'drizzle-orm/neon-serverless': POSTGRESQL,
  'drizzle-orm/vercel-postgres': POSTGRESQL,
  'drizzle-orm/pglite': POSTGRESQL,
  'drizzle-orm/pg-proxy': POSTGRESQL,
  'drizzle-orm/aws-data-api': POSTGRESQL,
  'drizzle-orm/xata-http': POSTGRESQL,
  'drizzle-orm/mysql-core': 'mysql',
  'drizzle-orm/mysql2': 'mysql',
  'drizzle-orm/mysql-proxy': 'mysql',
  'drizzle-orm/planetscale-serverless': 'mysql',
  'drizzle-orm/tidb-serverless': 'mysql',
  'drizzle-orm/singlestore': 'mysql',
  'drizzle-orm/sqlite-core': 'sqlite',
  'drizzle-orm/better-sqlite3': 'sqlite',
  'drizzle-orm/bun-sqlite': 'sqlite',
  'drizzle-orm/libsql': 'sqlite',
  'drizzle-orm/d1': 'sqlite',
  'drizzle-orm/expo-sqlite': 'sqlite',
  'drizzle-orm/op-sqlite': 'sqlite',
  'drizzle-orm/sql-js': 'sqlite',
  'drizzle-orm/sqlite-proxy': 'sqlite',
  '@clickhouse/client': 'clickhouse',
  '@clickhouse/client-web': 'clickhouse',
  clickhouse: 'clickhouse',
  mysql: 'mysql',
  mysql2: 'mysql',
  '@planetscale/database': 'mysql',
  '@databases/mysql': 'mysql',
  'kysely-planetscale': 'mysql',
  'better-sqlite3': 'sqlite',
  sqlite3: 'sqlite',
  sqlite: 'sqlite',
  '@libsql/client': 'sqlite',
  '@libsql/kysely-libsql': 'sqlite',
  'bun:sqlite': 'sqlite',
  'node:sqlite': 'sqlite',
  '@databases/sqlite': 'sqlite',
  'kysely-d1': 'sqlite',
  'kysely-bun-sqlite': 'sqlite',
  '@google-cloud/bigquery': 'bigquery',
  'snowflake-sdk': 'snowflake',
  mssql: 'mssql',
  tedious: 'mssql',
  duckdb: 'duckdb',
  'duckdb-async': 'duckdb',
  '@duckdb/node-api': 'duckdb',
  '@databricks/sql': 'databricks',
  oracledb: 'oracle',
};

/** Kysely's own dialect classes, by export name. */
const KYSELY_DIALECTS: Record<string, string> = {
  PostgresDialect: POSTGRESQL,
  MysqlDialect: 'mysql',
  SqliteDialect: 'sqlite',
  MssqlDialect: 'mssql',
};

/** knex's `client` option. An unknown client is PostgreSQL, as undecided SQL always is. */
const KNEX_CLIENTS: Record<string, string> = {
  pg: POSTGRESQL,
  postgres: POSTGRESQL,
  postgresql: POSTGRESQL,
  pgnative: POSTGRESQL,
  'pg-native': POSTGRESQL,
  cockroachdb: 'cockroachdb',
  mysql: 'mysql',
  mysql2: 'mysql',
  sqlite3: 'sqlite',
  sqlite: 'sqlite',
  'better-sqlite3': 'sqlite',
  mssql: 'mssql',
  tedious: 'mssql',
  oracledb: 'oracle',
  oracle: 'oracle',
  redshift: 'redshift',
};

/** The database of a package specifier (or of the package it is a subpath of), when pglens knows the package. */
function packageOrigin(specifier: string, imported: string): Origin | undefined {
  if (specifier === 'kysely' && KYSELY_DIALECTS[imported]) return { database: KYSELY_DIALECTS[imported], summary: `kysely's ${imported}`, source: 'kysely' };
  for (let candidate = specifier; candidate.length > 0; candidate = candidate.slice(0, Math.max(0, candidate.lastIndexOf('/')))) {
    if (Object.prototype.hasOwnProperty.call(PACKAGES, candidate)) {
      const database = PACKAGES[candidate];
      if (database === undefined) return undefined;
      const configurable = candidate === 'knex' ? 'knex' : candidate === 'kysely' ? 'kysely' : undefined;
      return { database, summary: specifier, source: specifier, configurable };
    }
    if (!candidate.includes('/')) break;
  }
  return namedPackageOrigin(specifier);
}

/**
 * The words of a package name that say which database it serves (an ORM's adapter: `@payloadcms/db-d1-sqlite`,
 * `@mikro-orm/mysql`, `@effect/sql-clickhouse`, `typeorm-sqlite-x`), for a package pglens does not know by name.
 */
const DATABASE_WORDS: Record<string, string> = {
  postgres: POSTGRESQL,
  postgresql: POSTGRESQL,
  pg: POSTGRESQL,
  pglite: POSTGRESQL,
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  libsql: 'sqlite',
  d1: 'sqlite',
  mysql: 'mysql',
  mysql2: 'mysql',
  mariadb: 'mysql',
  mssql: 'mssql',
  clickhouse: 'clickhouse',
  bigquery: 'bigquery',
  snowflake: 'snowflake',
  duckdb: 'duckdb',
  oracledb: 'oracle',
};

/**
 * An unknown package whose name names exactly one database (by the words of its name, scope included) is that
 * database's: the `sql` tag an ORM adapter re-exports for SQLite must not be read as PostgreSQL. A name naming none,
 * or several (`typeorm-pg-mysql-bridge`), decides nothing.
 */
function namedPackageOrigin(specifier: string): Origin | undefined {
  const words = specifier.toLowerCase().split(/[^a-z0-9]+/);
  const databases = new Set(words.flatMap((word) => (Object.prototype.hasOwnProperty.call(DATABASE_WORDS, word) ? [DATABASE_WORDS[word]] : [])));
  if (databases.size !== 1) return undefined;
  const [database] = databases;
  return { database, summary: `${specifier} (named for ${databaseLabel(database)})`, source: specifier };
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..';
}

// ---------------------------------------------------------------------------------------------------------
// Modules

interface ImportBinding {
  specifier: string;
  /** `default`, `*` for a namespace or a whole `require(...)`, else the exported name. */
  imported: string;
}

interface ModuleInfo {
  file: string;
  sourceFile: ts.SourceFile;
  /** Top-level import and require bindings by local name. */
  imports: Map<string, ImportBinding>;
  /** Every import specifier of the module (ESM, require, dynamic import), for "decided by its imports". */
  specifiers: string[];
  exportDecisions: Map<string, Origin | null | 'pending'>;
}

const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** Relative imports followed from the checked file at most this deep. */
const MAX_MODULE_HOPS = 4;
/** Nested expressions and declarations followed at most this deep within one module. */
const MAX_EXPRESSION_DEPTH = 16;

function moduleInfoOf(file: string, sourceFile: ts.SourceFile): ModuleInfo {
  const imports = new Map<string, ImportBinding>();
  const specifiers: string[] = [];
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const specifier = statement.moduleSpecifier.text;
      specifiers.push(specifier);
      const clause = statement.importClause;
      if (!clause) continue;
      if (clause.name) imports.set(clause.name.text, { specifier, imported: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) imports.set(bindings.name.text, { specifier, imported: '*' });
      else if (bindings) {
        for (const element of bindings.elements) imports.set(element.name.text, { specifier, imported: (element.propertyName ?? element.name).text });
      }
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expression = statement.moduleReference.expression;
      if (ts.isStringLiteral(expression)) {
        specifiers.push(expression.text);
        imports.set(statement.name.text, { specifier: expression.text, imported: '*' });
      }
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifiers.push(statement.moduleSpecifier.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const required = declaration.initializer && requiredSpecifier(declaration.initializer);
        if (!required) continue;
        specifiers.push(required.specifier);
        if (ts.isIdentifier(declaration.name)) imports.set(declaration.name.text, { specifier: required.specifier, imported: required.member ?? '*' });
        else if (ts.isObjectBindingPattern(declaration.name)) {
          for (const element of declaration.name.elements) {
            if (!ts.isIdentifier(element.name)) continue;
            const property = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
            imports.set(element.name.text, { specifier: required.specifier, imported: property });
          }
        }
      }
    }
  }
  return { file, sourceFile, imports, specifiers, exportDecisions: new Map() };
}

/** `require('x')`, `require('x').member`, `await import('x')`: the specifier (and member). */
function requiredSpecifier(expression: ts.Expression): { specifier: string; member?: string } | undefined {
  expression = unwrap(expression);
  if (ts.isPropertyAccessExpression(expression)) {
    const inner = requiredSpecifier(expression.expression);
    return inner && !inner.member ? { specifier: inner.specifier, member: expression.name.text } : undefined;
  }
  if (!ts.isCallExpression(expression) || expression.arguments.length !== 1) return undefined;
  const argument = expression.arguments[0];
  if (!ts.isStringLiteral(argument) && !ts.isNoSubstitutionTemplateLiteral(argument)) return undefined;
  const callee = expression.expression;
  if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === SK.ImportKeyword) return { specifier: argument.text };
  return undefined;
}

/** The value behind parentheses, `as`, `satisfies`, `!`, `<T>x` and `await`: what a client or tag binding is. */
function unwrap(expression: ts.Expression): ts.Expression {
  for (;;) {
    const inner = unwrapValue(expression);
    if (inner.kind !== SK.AwaitExpression) return inner;
    expression = (inner as ts.AwaitExpression).expression;
  }
}

/** The chain of nodes from the source file down to the innermost node holding `position`. */
function ancestorsAt(sourceFile: ts.SourceFile, position: number): ts.Node[] {
  const chain: ts.Node[] = [sourceFile];
  let node: ts.Node = sourceFile;
  for (;;) {
    let next: ts.Node | undefined;
    ts.forEachChild(node, (child) => {
      if (child.pos <= position && position < child.end) {
        next = child;
        return true;
      }
      return undefined;
    });
    if (!next) return chain;
    chain.push(next);
    node = next;
  }
}

/** The ancestors of `node` within `scope`'s container: `scope` then the path down to the node. */
function scopeOf(sourceFile: ts.SourceFile, node: ts.Node): ts.Node[] {
  return ancestorsAt(sourceFile, node.getStart(sourceFile));
}

// ---------------------------------------------------------------------------------------------------------
// The resolver

/** Decides the database of each site of a file; keeps parsed project modules by path and version. */
/** How long the file a relative import resolves to is taken as known (a file created meanwhile is seen after it). */
const RESOLVED_FOR_MS = 2_000;

/** At most this many other scripts (and sibling folders) are read to decide a migration folder's database. */
const MAX_SIBLING_SCRIPTS = 200;

/** Another dialect's first marker in a script, with its 1-based line. */
type ScriptMarker = DialectMarker & { line: number };

export class DatabaseResolver {
  private readonly modules = new Map<string, { version: string; info: ModuleInfo | undefined }>();
  private readonly resolved = new Map<string, { file: string | undefined; at: number }>();
  /** The first marker of another dialect in a .sql file read for its folder's database, by path and version. */
  private readonly scriptMarkers = new Map<string, { version: string; marker: ScriptMarker | undefined }>();

  private prismaProviders: PrismaProviders | undefined;
  private pathAliases: PathAliases | undefined;

  constructor(readonly settings: DatabaseSettings | undefined) {}

  /** The database of the Prisma client a file uses, when the project's Prisma schema names one other than PostgreSQL. */
  private prismaClientDatabase(file: string): DatabaseDecision | undefined {
    if (!this.settings) return undefined;
    this.prismaProviders ??= new PrismaProviders(this.settings.root, this.settings.maxBytes);
    const decision = this.prismaProviders.databaseOfClient(file);
    return decision && decision.database !== POSTGRESQL ? decision : undefined;
  }

  /** The database of a .sql file Prisma runs (a migration beside migration_lock.toml, TypedSQL), other than PostgreSQL. */
  databaseOfPrismaScript(file: string): DatabaseDecision | undefined {
    if (!this.settings) return undefined;
    this.prismaProviders ??= new PrismaProviders(this.settings.root, this.settings.maxBytes);
    const decision = this.prismaProviders.databaseOfScript(file);
    return decision && decision.database !== POSTGRESQL ? decision : undefined;
  }

  /**
   * The database of each site (undefined: undecided, which is PostgreSQL). `sourceFile` is the tree the sites
   * were read from.
   */
  decideSites(file: string, sourceFile: ts.SourceFile, sites: SqlSite[]): (DatabaseDecision | undefined)[] {
    const walk = new ModuleWalk(this, moduleInfoOf(file, sourceFile), 0);
    const fileFallback = walk.importsFallback();
    const byName = this.databaseOfPathName(file);
    return sites.map((site) => {
      if (site.origin === 'sql-file') return undefined;
      const chain = ancestorsAt(sourceFile, site.fileStart);
      // A branch on the database's name (`case 'mysql':`) is that database's whatever client runs it.
      const branch = databaseOfBranch(chain, sourceFile);
      if (branch && branch.database !== POSTGRESQL) return branch;
      const named = branch ? undefined : byName;
      const anchors = anchorsOf(chain);
      for (const [index, anchor] of anchors.entries()) {
        const origin = walk.decideExpression(anchor.expression, anchor.scope, 0);
        if (!origin) continue;
        // `@prisma/client` serves several databases: the project's Prisma schema says which (prismaDatabase.ts).
        const prisma = isPrismaPackage(origin.source) ? this.prismaClientDatabase(file) : undefined;
        if (prisma) return { database: prisma.database, because: `${describe(anchor, origin, index > 0)}, whose ${prisma.because}`, source: origin.source };
        // A consumer (the call that receives a tag's SQL) only takes the site away from PostgreSQL.
        if (index > 0 && origin.database === POSTGRESQL) break;
        // knex or Kysely configured out of sight is PostgreSQL only by default: a file named for another database decides.
        if (origin.database === POSTGRESQL && (origin.source === 'knex' || origin.source === 'kysely') && named) return named;
        return { database: origin.database, because: describe(anchor, origin, index > 0), source: origin.source };
      }
      // Prisma's raw methods on a client nothing visible decided (`tx.$queryRaw` in a `$transaction` callback, a client
      // from a workspace package): the database of the project's Prisma schema, PostgreSQL unless it names another,
      // whatever the file is named (langfuse's processClickhouseTraceDelete.ts deletes PostgreSQL rows with $queryRaw).
      const prismaAnchor = anchors.find((anchor) => isPrismaRawCallee(anchor.expression.getText(sourceFile).replace(/\s+/g, '')));
      if (prismaAnchor) {
        const prisma = this.prismaClientDatabase(file);
        return prisma && { database: prisma.database, because: `\`${prismaAnchor.text}\` of Prisma, whose ${prisma.because}` };
      }
      if (named) return named;
      // Nothing visible decided it: a file whose every database import is one other database's is that database's
      // (an untyped `conn` parameter in a file importing only mysql2).
      if (fileFallback && fileFallback.database !== POSTGRESQL && anchors.length > 0) {
        return { database: fileFallback.database, because: `\`${anchors[0].text}\` in a file that imports only ${fileFallback.source}` };
      }
      return undefined;
    });
  }

  /** The database the file's project-relative path names (databaseOfContext.ts), unless it names PostgreSQL. */
  databaseOfPathName(file: string): DatabaseDecision | undefined {
    const relative = this.settings && projectRelative(this.settings, file);
    const decision = relative === undefined ? undefined : databaseOfPathName(relative);
    return decision && decision.database !== POSTGRESQL ? decision : undefined;
  }

  /**
   * The database of a .sql file that holds no marker of any dialect, by the other scripts of its migration folder: a
   * plain `DROP TABLE t` or `ALTER TABLE t DELETE WHERE ...` among migrations whose other files say `ENGINE = MergeTree`
   * is ClickHouse's too (langfuse's ClickHouse migrations: 13 false PostgreSQL warnings on such files). Decided when
   * at least two, and more than half, of the other scripts carry one database's markers and none another database's.
   * The other scripts are the folder's .sql files or, for a file alone in its folder (a folder per migration, as
   * Prisma writes them), the .sql files of the sibling folders. Undefined when that does not decide it (PostgreSQL).
   */
  databaseOfFolder(file: string): DatabaseDecision | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    const absolute = path.resolve(settings.root, file);
    const folder = path.dirname(absolute);
    if (!isInside(folder, settings.root)) return undefined;
    let others = sqlFilesIn(folder).filter((candidate) => candidate !== absolute);
    let where = 'in this folder';
    if (others.length === 0) {
      const parent = path.dirname(folder);
      if (parent === folder || !isInside(parent, settings.root)) return undefined;
      others = subfoldersOf(parent)
        .filter((sibling) => sibling !== folder)
        .flatMap((sibling) => sqlFilesIn(sibling));
      where = 'in the sibling folders';
    }
    others = others.slice(0, MAX_SIBLING_SCRIPTS);
    const byDatabase = new Map<string, { count: number; example: string; marker: ScriptMarker }>();
    for (const other of others) {
      const marker = this.scriptMarker(other, settings);
      if (!marker) continue;
      const entry = byDatabase.get(marker.database);
      if (entry) entry.count++;
      else byDatabase.set(marker.database, { count: 1, example: other, marker });
    }
    if (byDatabase.size !== 1) return undefined;
    const [[database, { count, example, marker }]] = [...byDatabase];
    if (count < 2 || count * 2 <= others.length) return undefined;
    const name = path.relative(path.dirname(example) === folder ? folder : path.dirname(folder), example).split(path.sep).join('/');
    return {
      database,
      because: `${count} of the ${others.length} other .sql files ${where} are ${databaseLabel(database)}'s, e.g. ${name} with ${marker.marker} at line ${marker.line}`,
    };
  }

  /** The first marker of another dialect in a script (cached by version); undefined when it has none or cannot be read. */
  private scriptMarker(file: string, settings: NonNullable<typeof this.settings>): ScriptMarker | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile() || stat.size > settings.maxBytes) return undefined;
    const version = `${stat.mtimeMs}:${stat.size}`;
    const cached = this.scriptMarkers.get(file);
    if (cached && cached.version === version) return cached.marker;
    const read = readWorkspaceTextFile(file, { root: settings.root, maxBytes: settings.maxBytes });
    const found = read.ok ? foreignDialectOf(read.text) : undefined;
    const marker = found && read.ok ? { ...found, line: lineOf(read.text, found.offset) } : undefined;
    if (this.scriptMarkers.size >= 5000) this.scriptMarkers.clear();
    this.scriptMarkers.set(file, { version, marker });
    return marker;
  }

  /** A project module by path (read within the root, parsed once per version); undefined when it cannot be read. */
  module(file: string): ModuleInfo | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile() || stat.size > settings.maxBytes) return undefined;
    const version = `${stat.mtimeMs}:${stat.size}`;
    const cached = this.modules.get(file);
    if (cached && cached.version === version) return cached.info;
    const read = readWorkspaceTextFile(file, { root: settings.root, maxBytes: settings.maxBytes });
    let info: ModuleInfo | undefined;
    if (read.ok) {
      try {
        const kind = /\.[cm]?jsx?$/i.test(file) ? (file.endsWith('x') ? ts.ScriptKind.JSX : ts.ScriptKind.JS) : file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
        info = moduleInfoOf(file, ts.createSourceFile(file, read.text, ts.ScriptTarget.Latest, false, kind));
      } catch (error) {
        // A module nested too deep to parse decides nothing; the checked file is still read.
        if (!(error instanceof RangeError)) throw error;
      }
    }
    if (this.modules.size >= 1000) this.modules.clear();
    this.modules.set(file, { version, info });
    return info;
  }

  /**
   * The file a relative specifier resolves to, as TypeScript and bundlers resolve it; only inside the root. Answers are
   * kept for RESOLVED_FOR_MS: every site of a file asks for the same import (200 sites of one file, up to 14 stat
   * calls each for an import that resolves to nothing, were 30 ms of every keystroke's re-analysis, bench/lsp.ts).
   */
  resolveRelative(fromFile: string, specifier: string): string | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    const base = path.resolve(path.dirname(path.resolve(settings.root, fromFile)), specifier);
    const now = Date.now();
    const known = this.resolved.get(base);
    if (known && now - known.at < RESOLVED_FOR_MS) return known.file;
    const file = this.resolveOnDisk(base, settings);
    if (this.resolved.size >= 1000) this.resolved.clear();
    this.resolved.set(base, { file, at: now });
    return file;
  }

  /** The project file a tsconfig/jsconfig `paths` alias resolves to (pathAliases.ts); only inside the root. */
  resolveAlias(fromFile: string, specifier: string): string | undefined {
    const settings = this.settings;
    if (!settings) return undefined;
    this.pathAliases ??= new PathAliases(settings.root, settings.maxBytes);
    for (const candidate of this.pathAliases.candidates(fromFile, specifier)) {
      const file = this.resolveRelative(fromFile, candidate);
      if (file) return file;
    }
    return undefined;
  }

  private resolveOnDisk(base: string, settings: NonNullable<typeof this.settings>): string | undefined {
    if (!isInside(base, settings.root)) return undefined;
    const candidates: string[] = [];
    const extension = path.extname(base).toLowerCase();
    if (SCRIPT_EXTENSIONS.includes(extension)) {
      const stem = base.slice(0, -extension.length);
      if (extension === '.js') candidates.push(`${stem}.ts`, `${stem}.tsx`);
      else if (extension === '.jsx') candidates.push(`${stem}.tsx`);
      else if (extension === '.mjs') candidates.push(`${stem}.mts`);
      else if (extension === '.cjs') candidates.push(`${stem}.cts`);
      candidates.push(base);
    } else {
      for (const ext of SCRIPT_EXTENSIONS) candidates.push(base + ext);
      for (const ext of SCRIPT_EXTENSIONS) candidates.push(path.join(base, `index${ext}`));
    }
    for (const candidate of candidates) {
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        /* not this one */
      }
    }
    return undefined;
  }

  /** A pglens.json `databases.<name>.imports` entry the import matches (as written or by the file it resolves to). */
  configuredImport(fromFile: string, specifier: string): Origin | undefined {
    const settings = this.settings;
    if (!settings || settings.rules.length === 0) return undefined;
    let resolved: string | undefined | null = null;
    for (const rule of settings.rules) {
      const note = `${specifier} (pglens.json ${rule.key}.imports)`;
      if (rule.packages.some((name) => specifier === name || specifier.startsWith(`${name}/`))) return { database: rule.database, summary: note, source: note };
      if (rule.relativeSpecifiers.has(specifier)) return { database: rule.database, summary: note, source: note };
      if (rule.projectPath && (isRelative(specifier) || specifier.startsWith('/'))) {
        if (resolved === null) resolved = this.resolveRelative(fromFile, specifier);
        if (resolved === undefined) continue;
        const relative = projectRelative(settings, resolved);
        if (relative === undefined) continue;
        const stem = relative.replace(/\.[cm]?[jt]sx?$/i, '');
        const forms = [relative, stem, stem.replace(/\/index$/, '')];
        if (forms.some((form) => rule.projectPath!(form))) return { database: rule.database, summary: note, source: note };
      }
    }
    return undefined;
  }
}

interface Anchor {
  /** The tag, or the callee of the call that receives the SQL. */
  expression: ts.Expression;
  /** Ancestors of the expression (for scope lookups). */
  scope: ts.Node[];
  /** The expression as written, shortened. */
  text: string;
  kind: 'tag' | 'call';
}

/**
 * The tag or callee that receives the site's SQL, then the call that receives that (`client.query({ query: sql`...` })`
 * gives `sql`, then `client.query`).
 */
function anchorsOf(chain: ts.Node[]): Anchor[] {
  const anchors: Anchor[] = [];
  const sourceFile = chain[0] as ts.SourceFile;
  for (let i = chain.length - 1; i > 0 && anchors.length < 2; i--) {
    const node = chain[i];
    const child = chain[i + 1];
    if (ts.isTaggedTemplateExpression(node) && child === node.template) {
      anchors.push({ expression: node.tag, scope: chain.slice(0, i + 1), text: shortText(node.tag, sourceFile), kind: 'tag' });
    } else if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && child && node.arguments?.some((argument) => argument === child)) {
      anchors.push({ expression: node.expression, scope: chain.slice(0, i + 1), text: shortText(node.expression, sourceFile), kind: 'call' });
    } else if (anchors.length > 0 && !passesSqlThrough(node)) break;
    else if (anchors.length === 0 && isFunctionBoundary(node)) break;
  }
  return anchors;
}

/** Nodes between a tag's SQL and the call that receives it: `{ query: sql`...` }`, `[...]`, `(...)`, `await`. */
function passesSqlThrough(node: ts.Node): boolean {
  switch (node.kind) {
    case SK.ObjectLiteralExpression:
    case SK.PropertyAssignment:
    case SK.ArrayLiteralExpression:
    case SK.ParenthesizedExpression:
    case SK.AsExpression:
    case SK.SatisfiesExpression:
    case SK.AwaitExpression:
    case SK.TaggedTemplateExpression:
    case SK.TemplateSpan:
    case SK.TemplateExpression:
      return true;
    default:
      return false;
  }
}

function isFunctionBoundary(node: ts.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isSourceFile(node) || node.kind === SK.VariableDeclaration;
}

function shortText(node: ts.Node, sourceFile: ts.SourceFile): string {
  const text = node.getText(sourceFile).replace(/\s+/g, '');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function describe(anchor: Anchor, origin: Origin, consumer: boolean): string {
  const what = anchor.kind === 'tag' && !consumer ? `tag \`${anchor.text}\`` : `\`${anchor.text}\``;
  const root = rootName(anchor.expression);
  const direct = root !== undefined && anchor.text === root;
  if (origin.configurable) return `${what}: ${origin.summary}`;
  const tag = anchor.kind === 'tag' && !consumer ? 'tag ' : '';
  return direct ? `${what} from ${origin.summary}` : `${tag}\`${anchor.text}\`: ${root ? `\`${root}\` ` : ''}from ${origin.summary}`;
}

function rootName(expression: ts.Expression): string | undefined {
  expression = unwrap(expression);
  if (ts.isIdentifier(expression)) return expression.text;
  if (expression.kind === SK.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(expression)) {
    if (expression.expression.kind === SK.ThisKeyword) return `this.${expression.name.text}`;
    return rootName(expression.expression);
  }
  if (ts.isCallExpression(expression) || ts.isElementAccessExpression(expression) || ts.isTaggedTemplateExpression(expression)) {
    return rootName(ts.isTaggedTemplateExpression(expression) ? expression.tag : expression.expression);
  }
  return undefined;
}

/** One module's walk: declarations decided once each (cycles and depth bounded). */
class ModuleWalk {
  private readonly declarations = new Map<object, Origin | null | 'pending'>();
  private readonly thisMembers = new Map<ts.Node, Map<string, object>>();
  /** The module's top-level declaration of a name (null: none): every site of a file looks up the same `sql` or `db`. */
  private readonly topLevel = new Map<string, FoundDeclaration | null>();

  constructor(
    private readonly resolver: DatabaseResolver,
    readonly module: ModuleInfo,
    private readonly hops: number,
  ) {}

  private get sourceFile(): ts.SourceFile {
    return this.module.sourceFile;
  }

  /** The one database all of the module's known database imports agree on (undefined with none or several). */
  importsFallback(): Origin | undefined {
    let found: Origin | undefined;
    for (const specifier of this.module.specifiers) {
      const origin = this.resolver.configuredImport(this.module.file, specifier) ?? (isRelative(specifier) ? undefined : packageOrigin(specifier, '*'));
      if (!origin) continue;
      if (found && found.database !== origin.database) return undefined;
      found ??= origin;
    }
    return found;
  }

  decideExpression(expression: ts.Expression, scope: ts.Node[], depth: number): Origin | undefined {
    if (depth > MAX_EXPRESSION_DEPTH) return undefined;
    expression = unwrap(expression);
    if (ts.isIdentifier(expression)) return this.decideName(expression.text, scope, depth + 1);
    if (ts.isPropertyAccessExpression(expression)) {
      const target = unwrap(expression.expression);
      if (target.kind === SK.ThisKeyword) return this.decideThisMember(expression.name.text, scope, depth + 1);
      if (ts.isIdentifier(target)) {
        // `ch.sql` with `import * as ch from './clickhouse'`: the export `sql` of that module.
        const binding = this.bindingOfNamespace(target.text, scope);
        if (binding) return this.decideImport(binding.specifier, expression.name.text, depth + 1);
      }
      return this.decideExpression(target, scope, depth + 1);
    }
    if (ts.isElementAccessExpression(expression)) return this.decideExpression(expression.expression, scope, depth + 1);
    if (ts.isTaggedTemplateExpression(expression)) return this.decideExpression(expression.tag, scope, depth + 1);
    if (ts.isCallExpression(expression) || ts.isNewExpression(expression)) {
      const required = ts.isCallExpression(expression) ? requiredSpecifier(expression) : undefined;
      if (required) return this.decideImport(required.specifier, required.member ?? '*', depth + 1);
      const callee = this.decideExpression(expression.expression, scope, depth + 1);
      if (callee?.configurable) return this.configuredInstance(callee, expression.arguments?.[0], scope, depth + 1);
      return callee;
    }
    if (ts.isConditionalExpression(expression)) {
      return agree([this.decideExpression(expression.whenTrue, scope, depth + 1), this.decideExpression(expression.whenFalse, scope, depth + 1)]);
    }
    if (ts.isBinaryExpression(expression) && [SK.QuestionQuestionToken, SK.BarBarToken].includes(expression.operatorToken.kind)) {
      return agree([this.decideExpression(expression.left, scope, depth + 1), this.decideExpression(expression.right, scope, depth + 1)]);
    }
    return undefined;
  }

  /** knex({ client: 'mysql2' }), new Kysely({ dialect: new MysqlDialect(...) }): decided by the options. */
  private configuredInstance(origin: Origin, argument: ts.Expression | undefined, scope: ts.Node[], depth: number): Origin {
    const options = argument && this.objectLiteralOf(argument, scope);
    const key = origin.configurable === 'knex' ? ['client', 'dialect'] : ['dialect'];
    const property = options?.properties.find(
      (candidate): candidate is ts.PropertyAssignment => ts.isPropertyAssignment(candidate) && ts.isIdentifier(candidate.name) && key.includes(candidate.name.text),
    );
    if (!property) return { ...origin, configurable: undefined };
    const value = unwrap(property.initializer);
    if (origin.configurable === 'knex' && (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value))) {
      const database = KNEX_CLIENTS[value.text.toLowerCase()] ?? POSTGRESQL;
      return { database, summary: `knex with client '${value.text}'`, source: `knex (client '${value.text}')` };
    }
    const decided = this.decideExpression(value, scope, depth + 1);
    if (decided) return { ...decided, configurable: undefined, summary: `${origin.source} with ${decided.summary}`, source: `${origin.source} (${decided.summary})` };
    return { ...origin, configurable: undefined };
  }

  /** An object literal written in place or as a const in scope (`knex(config)`). */
  private objectLiteralOf(expression: ts.Expression, scope: ts.Node[]): ts.ObjectLiteralExpression | undefined {
    expression = unwrap(expression);
    if (ts.isObjectLiteralExpression(expression)) return expression;
    if (!ts.isIdentifier(expression)) return undefined;
    const found = this.findDeclaration(expression.text, scope);
    if (found?.node && ts.isVariableDeclaration(found.node) && ts.isIdentifier(found.node.name) && found.node.initializer) {
      const initializer = unwrap(found.node.initializer);
      if (ts.isObjectLiteralExpression(initializer)) return initializer;
    }
    return undefined;
  }

  private bindingOfNamespace(name: string, scope: ts.Node[]): ImportBinding | undefined {
    const found = this.findDeclaration(name, scope);
    if (found?.kind !== 'import') return undefined;
    const binding = this.module.imports.get(name);
    return binding && binding.imported === '*' && isRelative(binding.specifier) ? binding : undefined;
  }

  decideName(name: string, scope: ts.Node[], depth: number): Origin | undefined {
    const found = this.findDeclaration(name, scope);
    if (!found) return undefined;
    if (found.kind === 'import') {
      // Decided once per binding: 200 sites of a file each asking for `sql` from ./db stat'ed ./db 200 times.
      const binding = this.module.imports.get(name);
      return binding ? this.memo(binding, () => this.decideImport(binding.specifier, binding.imported, depth + 1)) : undefined;
    }
    return this.memo(found.node, () => this.decideDeclaration(found, depth + 1));
  }

  /** findDeclaration with the module's top level looked up once per name. */
  private findDeclaration(name: string, scope: ts.Node[]): FoundDeclaration | undefined {
    if (scope.length === 0 || !ts.isSourceFile(scope[0])) return findDeclaration(name, scope);
    const inner = findDeclaration(name, scope, 1);
    if (inner) return inner;
    let top = this.topLevel.get(name);
    if (top === undefined) this.topLevel.set(name, (top = findDeclaration(name, scope.slice(0, 1)) ?? null));
    return top ?? undefined;
  }

  private memo(node: object, decide: () => Origin | undefined): Origin | undefined {
    const known = this.declarations.get(node);
    if (known === 'pending') return undefined;
    if (known !== undefined) return known ?? undefined;
    this.declarations.set(node, 'pending');
    const origin = decide();
    this.declarations.set(node, origin ?? null);
    return origin;
  }

  private decideDeclaration(found: FoundDeclaration, depth: number): Origin | undefined {
    const node = found.node;
    const scope = found.scope;
    if (ts.isVariableDeclaration(node)) {
      const required = node.initializer && requiredSpecifier(node.initializer);
      if (required && !ts.isIdentifier(node.name) && ts.isObjectBindingPattern(node.name)) {
        // const { Pool } = require('pg')
        const element = node.name.elements.find((candidate) => ts.isIdentifier(candidate.name) && candidate.name.text === found.name);
        const property = element?.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : found.name;
        return this.decideImport(required.specifier, property, depth + 1);
      }
      return (node.initializer && this.decideExpression(node.initializer, scope, depth + 1)) || (node.type && this.decideType(node.type, scope, depth + 1)) || undefined;
    }
    if (ts.isParameter(node)) {
      return (node.type && this.decideType(node.type, scope, depth + 1)) || (node.initializer && this.decideExpression(node.initializer, scope, depth + 1)) || undefined;
    }
    if (ts.isFunctionDeclaration(node)) return this.decideFunction(node, scope, depth + 1);
    if (ts.isTypeAliasDeclaration(node)) return this.decideType(node.type, scope, depth + 1);
    return undefined;
  }

  /** A function by its return type, else by what it returns. */
  private decideFunction(fn: ts.FunctionLikeDeclaration, scope: ts.Node[], depth: number): Origin | undefined {
    if (fn.type) {
      const typed = this.decideType(fn.type, scope, depth + 1);
      if (typed) return typed;
    }
    if (!fn.body) return undefined;
    const inner = [...scope, fn];
    if (!ts.isBlock(fn.body)) return this.decideExpression(fn.body, inner, depth + 1);
    const returned: ts.ReturnStatement[] = [];
    collectReturns(fn.body, returned);
    const origins: (Origin | undefined)[] = [];
    for (const statement of returned.slice(0, 8)) {
      if (statement.expression) origins.push(this.decideExpression(statement.expression, scopeOf(this.sourceFile, statement.expression), depth + 1));
    }
    return agree(origins);
  }

  decideType(type: ts.TypeNode, scope: ts.Node[], depth: number): Origin | undefined {
    if (depth > MAX_EXPRESSION_DEPTH) return undefined;
    if (ts.isTypeReferenceNode(type)) {
      let name: ts.EntityName = type.typeName;
      let member: string | undefined;
      while (ts.isQualifiedName(name)) {
        member = name.right.text;
        name = name.left;
      }
      const namespace = member !== undefined ? this.bindingOfNamespace(name.text, scope) : undefined;
      const root = namespace ? this.decideImport(namespace.specifier, member!, depth + 1) : this.decideName(name.text, scope, depth + 1);
      if (root) return root;
      // Promise<Pool>, Readonly<Client>: the wrapper is global, its argument says it.
      for (const argument of type.typeArguments ?? []) {
        const decided = this.decideType(argument, scope, depth + 1);
        if (decided) return decided;
      }
      return undefined;
    }
    if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) return agree(type.types.map((member) => this.decideType(member, scope, depth + 1)));
    if (ts.isParenthesizedTypeNode(type)) return this.decideType(type.type, scope, depth + 1);
    if (ts.isImportTypeNode(type) && ts.isLiteralTypeNode(type.argument) && ts.isStringLiteral(type.argument.literal)) {
      return this.decideImport(type.argument.literal.text, type.qualifier && ts.isIdentifier(type.qualifier) ? type.qualifier.text : '*', depth + 1);
    }
    if (ts.isTypeQueryNode(type) && ts.isIdentifier(type.exprName)) return this.decideName(type.exprName.text, scope, depth + 1);
    return undefined;
  }

  /** `this.pool`: the class's property (initializer or type), constructor parameter property or assignment. */
  private decideThisMember(name: string, scope: ts.Node[], depth: number): Origin | undefined {
    let classIndex = -1;
    for (let i = scope.length - 1; i >= 0; i--) {
      if (ts.isClassLike(scope[i])) {
        classIndex = i;
        break;
      }
    }
    if (classIndex < 0) return undefined;
    const cls = scope[classIndex] as ts.ClassLikeDeclaration;
    const classScope = scope.slice(0, classIndex + 1);
    let members = this.thisMembers.get(cls);
    if (!members) this.thisMembers.set(cls, (members = new Map()));
    // Keyed by class and name: a constructor's parameter properties are not members of their own.
    let key = members.get(name);
    if (!key) members.set(name, (key = { name }));
    return this.memo(key, () => {
      for (const member of cls.members) {
        if (ts.isPropertyDeclaration(member) && memberName(member) === name) {
          const decided = (member.initializer && this.decideExpression(member.initializer, [...classScope, member], depth + 1)) || (member.type && this.decideType(member.type, classScope, depth + 1));
          if (decided) return decided;
        } else if (ts.isGetAccessorDeclaration(member) && memberName(member) === name) {
          const decided = this.decideFunction(member, classScope, depth + 1);
          if (decided) return decided;
        } else if (ts.isConstructorDeclaration(member)) {
          const ctorScope = [...classScope, member];
          for (const parameter of member.parameters) {
            if (!ts.isIdentifier(parameter.name) || parameter.name.text !== name) continue;
            if (!ts.getModifiers(parameter)?.length) continue;
            const decided = (parameter.type && this.decideType(parameter.type, ctorScope, depth + 1)) || undefined;
            if (decided) return decided;
          }
          for (const statement of member.body?.statements ?? []) {
            if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) continue;
            const assignment = statement.expression;
            if (assignment.operatorToken.kind !== SK.EqualsToken || !ts.isPropertyAccessExpression(assignment.left)) continue;
            if (assignment.left.expression.kind !== SK.ThisKeyword || assignment.left.name.text !== name) continue;
            const decided = this.decideExpression(assignment.right, [...ctorScope, member.body!], depth + 1);
            if (decided) return decided;
          }
        }
      }
      return undefined;
    });
  }

  /** An import: pglens.json first, then a known package, then a project module's export (a bounded number of hops). */
  decideImport(specifier: string, imported: string, depth: number): Origin | undefined {
    const configured = this.resolver.configuredImport(this.module.file, specifier);
    if (configured) return configured;
    const known = isRelative(specifier) ? undefined : packageOrigin(specifier, imported);
    if (known) return known;
    if (this.hops >= MAX_MODULE_HOPS || depth > MAX_EXPRESSION_DEPTH) return undefined;
    // Not a package pglens knows: a tsconfig `paths` alias (`@/lib/db`) is followed like a relative import.
    const target = isRelative(specifier) ? this.resolver.resolveRelative(this.module.file, specifier) : this.resolver.resolveAlias(this.module.file, specifier);
    const module = target && this.resolver.module(target);
    if (!module) return undefined;
    const inner = new ModuleWalk(this.resolver, module, this.hops + 1).decideExport(imported);
    if (!inner) return undefined;
    return { database: inner.database, summary: `${specifier}, which imports ${inner.source}`, source: inner.source, configurable: inner.configurable };
  }

  /** What an export of this module is for: its declaration when visible, else the module's imports if they agree. */
  decideExport(name: string): Origin | undefined {
    const known = this.module.exportDecisions.get(name);
    if (known === 'pending') return undefined;
    if (known !== undefined) return known ?? undefined;
    this.module.exportDecisions.set(name, 'pending');
    const origin = (name === '*' ? undefined : this.decideExportDeclaration(name)) ?? this.importsFallback();
    this.module.exportDecisions.set(name, origin ?? null);
    return origin;
  }

  private decideExportDeclaration(name: string): Origin | undefined {
    const sourceFile = this.sourceFile;
    const top = [sourceFile];
    for (const statement of sourceFile.statements) {
      const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === SK.ExportKeyword);
      const isDefault = exported && ts.getModifiers(statement as ts.HasModifiers)?.some((modifier) => modifier.kind === SK.DefaultKeyword);
      if (ts.isExportAssignment(statement) && name === 'default') return this.decideExpression(statement.expression, top, 0);
      if (exported && ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (bindsName(declaration.name, name)) return this.decideName(name, top, 0);
        }
      }
      if (exported && (ts.isFunctionDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && (statement.name?.text === name || (isDefault && name === 'default'))) {
        return ts.isFunctionDeclaration(statement) ? this.decideFunction(statement, top, 0) : this.decideType(statement.type, top, 0);
      }
      if (ts.isExportDeclaration(statement)) {
        const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
        if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
          const element = statement.exportClause.elements.find((candidate) => candidate.name.text === name);
          if (!element) continue;
          const local = (element.propertyName ?? element.name).text;
          return specifier ? this.decideImport(specifier, local, 0) : this.decideName(local, top, 0);
        }
        if (!statement.exportClause && specifier) {
          const decided = this.decideImport(specifier, name, 0);
          if (decided) return decided;
        }
      }
      // CommonJS: module.exports = { sql }, module.exports.sql = ..., exports.sql = ...
      if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === SK.EqualsToken) {
        const left = statement.expression.left;
        const right = unwrap(statement.expression.right);
        const target = ts.isPropertyAccessExpression(left) ? left.getText(sourceFile) : '';
        if (target === 'module.exports' && ts.isObjectLiteralExpression(right)) {
          for (const property of right.properties) {
            if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return this.decideName(name, top, 0);
            if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name) return this.decideExpression(property.initializer, top, 0);
          }
        } else if (target === 'module.exports' && name === 'default') return this.decideExpression(right, top, 0);
        else if (target === `module.exports.${name}` || target === `exports.${name}`) return this.decideExpression(right, top, 0);
      }
    }
    return undefined;
  }
}

function memberName(member: ts.ClassElement): string | undefined {
  return member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text.replace(/^#/, '') : undefined;
}

/** Every origin that was decided agrees: that one (undecided ones are ignored); else undefined. */
function agree(origins: (Origin | undefined)[]): Origin | undefined {
  let found: Origin | undefined;
  for (const origin of origins) {
    if (!origin) continue;
    if (found && found.database !== origin.database) return undefined;
    found ??= origin;
  }
  return found;
}

function collectReturns(node: ts.Node, into: ts.ReturnStatement[]): void {
  ts.forEachChild(node, (child) => {
    if (ts.isReturnStatement(child)) into.push(child);
    else if (!ts.isFunctionLike(child) && !ts.isClassLike(child)) collectReturns(child, into);
  });
}

function bindsName(name: ts.BindingName, wanted: string): boolean {
  if (ts.isIdentifier(name)) return name.text === wanted;
  for (const element of name.elements) {
    if (ts.isBindingElement(element) && bindsName(element.name, wanted)) return true;
  }
  return false;
}

interface FoundDeclaration {
  kind: 'import' | 'declaration';
  name: string;
  /** The declaration (variable, parameter, function, type alias); the import's statement for imports. */
  node: ts.Node;
  /** The ancestors of the scope that holds it. */
  scope: ts.Node[];
}

/** The declaration of `name` visible from the innermost node of `scope`, by JavaScript's scoping (syntax only). */
/** The declaration of `name` seen from the innermost node of `scope`, looking outwards down to `scope[lowest]`. */
function findDeclaration(name: string, scope: ts.Node[], lowest = 0): FoundDeclaration | undefined {
  for (let i = scope.length - 1; i >= lowest; i--) {
    const node = scope[i];
    const outer = scope.slice(0, i + 1);
    if (ts.isFunctionLike(node)) {
      for (const parameter of node.parameters) {
        if (bindsName(parameter.name, name)) return { kind: 'declaration', name, node: parameter, scope: outer };
      }
      if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name?.text === name) return { kind: 'declaration', name, node, scope: outer };
    }
    if (ts.isCatchClause(node) && node.variableDeclaration && bindsName(node.variableDeclaration.name, name)) {
      return { kind: 'declaration', name, node: node.variableDeclaration, scope: outer };
    }
    if ((ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)) {
      for (const declaration of node.initializer.declarations) {
        if (bindsName(declaration.name, name)) return { kind: 'declaration', name, node: declaration, scope: outer };
      }
    }
    const statements = statementsOf(node);
    if (!statements) continue;
    for (const statement of statements) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (bindsName(declaration.name, name)) return { kind: 'declaration', name, node: declaration, scope: outer };
        }
      } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name?.text === name) {
        return { kind: 'declaration', name, node: statement, scope: outer };
      } else if (ts.isImportDeclaration(statement) && importBinds(statement, name)) {
        return { kind: 'import', name, node: statement, scope: outer };
      } else if (ts.isImportEqualsDeclaration(statement) && statement.name.text === name) {
        return { kind: 'import', name, node: statement, scope: outer };
      }
    }
  }
  return undefined;
}

function statementsOf(node: ts.Node): ts.NodeArray<ts.Statement> | undefined {
  if (ts.isSourceFile(node) || ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) return node.statements;
  return undefined;
}

function importBinds(statement: ts.ImportDeclaration, name: string): boolean {
  const clause = statement.importClause;
  if (!clause) return false;
  if (clause.name?.text === name) return true;
  const bindings = clause.namedBindings;
  if (!bindings) return false;
  if (ts.isNamespaceImport(bindings)) return bindings.name.text === name;
  return bindings.elements.some((element) => element.name.text === name);
}

/** The .sql files of a folder (regular files only: a symlink is not followed), sorted; none when it cannot be read. */
function sqlFilesIn(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.sql$/i.test(entry.name))
      .map((entry) => path.join(folder, entry.name))
      .sort()
      .slice(0, MAX_SIBLING_SCRIPTS);
  } catch {
    return [];
  }
}

/** The folders directly inside `folder` (not following symlinks), sorted, at most MAX_SIBLING_SCRIPTS. */
function subfoldersOf(folder: string): string[] {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      .map((entry) => path.join(folder, entry.name))
      .sort()
      .slice(0, MAX_SIBLING_SCRIPTS);
  } catch {
    return [];
  }
}

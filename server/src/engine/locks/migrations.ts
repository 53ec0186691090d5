// Which files are migrations, whether each runs inside one transaction, and which PostgreSQL version they target.
// Lock rules are stricter on migrations (they run against production tables, usually during a deploy) and
// `concurrently-in-transaction` needs to know whether the framework wraps each file in BEGIN ... COMMIT.

import * as path from 'node:path';
import picomatch from 'picomatch';
import type { MigrationContext, MigrationTransaction } from '../rules/rule';
import { splitSqlStatements } from '../find/sqlFile';

export interface MigrationConfig {
  /** Globs (relative to `root`, or matched against the whole path) of migration files. With globs, nothing else is a migration. */
  migrations?: string[];
  /** Whether migrations run inside one transaction (`migrationsInTransaction`); overrides the framework's model. */
  transactional?: boolean;
  /** Workspace root, for relative globs. */
  root?: string;
  /** The property of a TS/JS migration object that says it runs without a transaction (default `noTransaction`). */
  noTransactionProperty?: string;
}

export interface MigrationContextInfo extends MigrationContext {
  /** The layout or framework recognised: "prisma", "supabase", "drizzle", "knex", "sequelize", "flyway", "golang-migrate", "dbmate", "diesel", "config", "migrations folder", ... */
  framework?: string;
}

/**
 * How a migration tool sends a file to PostgreSQL, and so whether a statement of it runs in a transaction block.
 * One entry per tool; `model` gets the file's text and the number of statements in it (SQL files: the splitter's
 * count; scripts: the SQL sites are not counted here, so undefined).
 */
interface TransactionModel {
  framework: string;
  /** Recognised from the path (forward slashes); without globs these paths make a file a migration. */
  path?: RegExp;
  /** Recognised from the file's text, whatever its path (a glob-matched file, or a plain migrations folder). */
  text?: RegExp;
  /** Only .sql files, or only scripts (.js/.ts). */
  kind?: 'sql' | 'script';
  model(text: string, statementCount: number | undefined, config: MigrationConfig): { transaction: MigrationTransaction; reason: string };
}

/** Statements that PostgreSQL refuses inside a transaction block (their reference pages: "cannot be executed inside a transaction block"). */
const NON_TRANSACTIONAL = /^\s*(?:create\s+(?:unique\s+)?index\s+concurrently|drop\s+index\s+concurrently|reindex\b[^;]*\bconcurrently|alter\s+table\b[^;]*\bdetach\s+partition\b[^;]*\bconcurrently|vacuum\b|create\s+database\b|drop\s+database\b|alter\s+system\b|create\s+tablespace\b|drop\s+tablespace\b)/i;

function sqlStatementsOf(text: string): string[] {
  return splitSqlStatements(text).map((span) => stripLeadingComments(text.slice(span.start, span.end)));
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '');
}

/** "one script": several statements sent as one query run in one implicit transaction block; a single statement runs alone. */
function oneScript(tool: string, count: number | undefined): { transaction: MigrationTransaction; reason: string } {
  if (count !== undefined && count <= 1) return { transaction: 'no', reason: `${tool} sends the file as one query, and a single statement runs alone` };
  return {
    transaction: 'implicit-multi',
    reason: `${tool} sends the file as one query, and PostgreSQL runs its ${count ?? 'several'} statements in one implicit transaction block`,
  };
}

/** The text between `-- migrate:up` and `-- migrate:down` (or the end). */
function dbmateUpSection(text: string): string {
  const up = /^--\s*migrate:up\b[^\n]*$/im.exec(text);
  if (!up) return text;
  const rest = text.slice(up.index + up[0].length);
  const down = /^--\s*migrate:down\b/im.exec(rest);
  return down ? rest.slice(0, down.index) : rest;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `noTransaction: true` (or the configured property) in a migration object. */
function objectFlag(text: string, config: MigrationConfig): boolean | undefined {
  const property = escapeRegExp(config.noTransactionProperty ?? 'noTransaction');
  const flag = new RegExp(`(?:^|[\\s{,])["']?${property}["']?\\s*:\\s*(true|false|!0|!1)\\b`, 'm').exec(text);
  if (!flag) return undefined;
  return flag[1] === 'true' || flag[1] === '!0';
}

// The first entry that matches names the tool. Text markers come first: a file saying how it runs beats its folder.
const MODELS: TransactionModel[] = [
  {
    framework: 'dbmate',
    kind: 'sql',
    text: /^--\s*migrate:up\b/im,
    // With transaction:false dbmate still sends the whole up section as one query: several statements there run in
    // one implicit transaction block, so only a section of one statement runs outside a transaction.
    model: (text) =>
      /^--\s*migrate:up\b[^\n]*\btransaction:\s*false/im.test(text)
        ? oneScript('dbmate (transaction:false)', sqlStatementsOf(dbmateUpSection(text)).filter((statement) => statement.trim() !== '').length)
        : { transaction: 'yes', reason: 'dbmate runs each migration in a transaction (-- migrate:up transaction:false turns it off)' },
  },
  {
    framework: 'graphile-migrate',
    kind: 'sql',
    path: /(^|\/)migrations\/(committed\/\d+[^/]*\.sql|current\.sql|current\/[^/]+\.sql)$/,
    text: /^--!\s*(Previous|Hash|Message|no-transaction)\b/m,
    model: (text) =>
      /^--!\s*no-transaction\b/m.test(text)
        ? { transaction: 'no', reason: 'graphile-migrate runs it without a transaction (--! no-transaction)' }
        : { transaction: 'yes', reason: 'graphile-migrate runs each migration in a transaction (--! no-transaction turns it off)' },
  },
  {
    framework: 'flyway',
    kind: 'sql',
    path: /(^|\/)(db\/migration|sql)\/(.*\/)?[VR]\d[\w.]*__[^/]+\.sql$/,
    model: (text) => {
      if (/flyway:executeInTransaction\s*=\s*false/i.test(text)) return { transaction: 'no', reason: 'Flyway runs it without a transaction (executeInTransaction=false)' };
      // Flyway's PostgreSQL parser marks statements that cannot run in a transaction and runs such a migration
      // without one; a migration mixing both kinds is refused unless `mixed` is set (then it also runs without one).
      const statements = sqlStatementsOf(text);
      const outside = statements.filter((sql) => NON_TRANSACTIONAL.test(sql)).length;
      if (outside === 0) return { transaction: 'yes', reason: 'Flyway runs each migration in a transaction' };
      if (outside === statements.length) return { transaction: 'no', reason: 'Flyway runs a migration whose statements cannot run in a transaction without one' };
      return {
        transaction: 'yes',
        reason: 'Flyway runs it in a transaction: it mixes statements that cannot run in one with statements that can, which Flyway refuses unless `mixed` is set',
      };
    },
  },
  {
    framework: 'prisma',
    kind: 'sql',
    // Prisma's folder per migration, `<YYYYMMDDHHMMSS>_<name>/migration.sql`, wherever the schema keeps it
    // (formbricks: packages/database/migration/): its stamp and file name are Prisma's alone.
    path: /(^|\/)prisma\/migrations\/[^/]+\/migration\.sql$|(^|\/)\d{14}_[^/]+\/migration\.sql$/,
    model: (text, count) => oneScript('Prisma', count ?? sqlStatementsOf(text).length),
  },
  {
    framework: 'diesel',
    kind: 'sql',
    // Diesel's folder per migration: `2019-02-26-002946_create_user/up.sql` (`-0000` since Diesel 2.2), and its setup.
    path: /(^|\/)migrations\/(\d{4}-\d{2}-\d{2}-\d{6}(-\d{4})?_[^/]+|00000000000000_diesel_initial_setup)\/(up|down)\.sql$/,
    // Diesel runs each migration in a transaction unless its metadata.toml says `run_in_transaction = false`, which a
    // migration with CONCURRENTLY (refused in a transaction) must say: such a file runs without one.
    model: (text) =>
      sqlStatementsOf(text).some((sql) => NON_TRANSACTIONAL.test(sql))
        ? { transaction: 'no', reason: 'Diesel runs it without a transaction (it holds statements a transaction refuses: metadata.toml run_in_transaction = false)' }
        : { transaction: 'yes', reason: 'Diesel runs each migration in a transaction (run_in_transaction = false in its metadata.toml turns it off)' },
  },
  {
    framework: 'golang-migrate',
    kind: 'sql',
    path: /(^|\/)[^/]*migrations?\/(.*\/)?\d+_[^/]+\.(up|down)\.sql$/,
    model: (text, count) => oneScript('golang-migrate', count ?? sqlStatementsOf(text).length),
  },
  {
    framework: 'supabase',
    kind: 'sql',
    path: /(^|\/)supabase\/migrations\/[^/]+\.sql$/,
    // The CLI sends a file's statements as one batch (one implicit transaction); since v2.109 it runs statements that
    // cannot run in a transaction (CREATE INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM) outside the batch, so a
    // mixed file depends on the CLI's version. A file of one statement runs alone with every version.
    model: (text, count) =>
      (count ?? sqlStatementsOf(text).length) <= 1
        ? { transaction: 'no', reason: 'the Supabase CLI runs a migration of a single statement alone' }
        : {
            transaction: 'unknown',
            reason: 'the Supabase CLI runs a migration file as one batch in a transaction, and since v2.109 runs CONCURRENTLY statements outside it: it depends on the CLI version',
          },
  },
  {
    framework: 'drizzle',
    kind: 'sql',
    path: /(^|\/)drizzle\/(.*\/)?[^/]+\.sql$/,
    model: () => ({ transaction: 'yes', reason: "drizzle-kit's migrator runs the pending migrations in one transaction" }),
  },
  {
    framework: 'node-pg-migrate',
    kind: 'script',
    text: /\bpgm\s*\.\s*(sql|createIndex|addColumns?|createTable|noTransaction|dropIndex|addConstraint|alterColumn)\s*\(/,
    model: (text) =>
      /\bpgm\s*\.\s*noTransaction\s*\(/.test(text)
        ? { transaction: 'no', reason: 'node-pg-migrate runs it without a transaction (pgm.noTransaction())' }
        : { transaction: 'yes', reason: 'node-pg-migrate runs each migration in a transaction (pgm.noTransaction() turns it off)' },
  },
  {
    framework: 'knex',
    kind: 'script',
    text: /\bknex\b|\bKnex\b|config\s*=\s*\{[^}]*\btransaction\s*:/,
    model: (text) =>
      /config\s*=\s*\{[^}]*\btransaction\s*:\s*false/.test(text)
        ? { transaction: 'no', reason: 'knex runs it without a transaction (config.transaction = false)' }
        : { transaction: 'yes', reason: 'knex runs each migration in a transaction (config.transaction = false turns it off)' },
  },
  {
    framework: 'sequelize',
    kind: 'script',
    text: /\bqueryInterface\b/,
    model: (text) =>
      /\.transaction\s*\(/.test(text)
        ? { transaction: 'yes', reason: 'this sequelize migration opens a transaction' }
        : { transaction: 'no', reason: 'sequelize runs migrations without a transaction unless the migration opens one' },
  },
];

const GENERIC_FOLDER = /(^|\/)(db\/)?migrations?\/(.*\/)?[^/]+\.(sql|js|cjs|mjs|ts)$/;

function toPosix(p: string): string {
  return p.split(path.sep).join('/').replace(/\\/g, '/');
}

function globMatcher(globs: string[]): (p: string) => boolean {
  const key = globs.join('\u0000');
  let match = matchers.get(key);
  if (!match) {
    match = picomatch(globs, { dot: true });
    matchers.set(key, match);
  }
  return match;
}
const matchers = new Map<string, (p: string) => boolean>();

/**
 * Which migration layout a file belongs to, if any. With `migrations` globs, only the files they match are
 * migrations ("config", or the tool their path shows); without, the known layouts and folders named `migrations`.
 */
export function detectMigrationLayout(file: string, config: MigrationConfig = {}): string | undefined {
  const posix = toPosix(file);
  const relative = config.root ? toPosix(path.relative(config.root, file)) : posix;
  const byPath = (): string | undefined => {
    for (const model of MODELS) if (model.path && (model.path.test(relative) || model.path.test(posix))) return model.framework;
    return undefined;
  };
  if (config.migrations && config.migrations.length > 0) {
    const match = globMatcher(config.migrations);
    return match(relative) || match(posix) ? byPath() ?? 'config' : undefined;
  }
  if (/\.d\.ts$/.test(posix) || /(^|\/)node_modules\//.test(posix)) return undefined;
  return byPath() ?? (GENERIC_FOLDER.test(relative) || GENERIC_FOLDER.test(posix) ? 'migrations folder' : undefined);
}

/** The tool a migration file's text shows (dbmate's `-- migrate:up`, knex's `knex.raw`, ...), or its path's. */
function modelFor(file: string, text: string, pathFramework: string): TransactionModel | undefined {
  const kind = /\.(js|cjs|mjs|ts|mts|cts)$/.test(file) ? 'script' : 'sql';
  const fits = (model: TransactionModel) => model.kind === undefined || model.kind === kind;
  return MODELS.find((model) => fits(model) && model.text?.test(text)) ?? MODELS.find((model) => fits(model) && model.framework === pathFramework);
}

/** What the assumption is for a runner pglens does not know, and what settles it. */
export const UNKNOWN_RUNNER_REASON =
  'pglens does not know the tool that runs this migration, so not whether it wraps the file in a transaction; set "migrationsInTransaction" in pglens.json to say';

/**
 * The migration context of a file: whether it is a migration (config globs, else a known layout) and how its tool
 * runs it. `transaction` is 'yes' (the tool wraps the file in BEGIN ... COMMIT), 'implicit-multi' (the file goes to
 * the server as one query of several statements: one implicit transaction block), 'no' (each statement runs alone)
 * or 'unknown' (a plain folder, no tool recognised). Precedence: `-- pglens: no-transaction` in the file, then the
 * config's `migrationsInTransaction`, then the file's own marker or flag, then its tool's model.
 * An explicit BEGIN/COMMIT in the file is handled per statement by the rules (`fileHistory().openTransaction`).
 */
export function migrationContextFor(file: string, fileText: string, config: MigrationConfig = {}, statementCount?: number): MigrationContextInfo {
  const layout = detectMigrationLayout(file, config);
  if (!layout) return { isMigration: false, inTransaction: false };
  const context = (framework: string, transaction: MigrationTransaction, transactionReason: string): MigrationContextInfo => ({
    isMigration: true,
    inTransaction: transaction === 'yes' || transaction === 'implicit-multi',
    transaction,
    transactionReason,
    framework,
  });
  const model = modelFor(file, fileText, layout);
  const framework = model?.framework ?? layout;
  if (/pglens:[ \t]*no-transaction/.test(fileText)) return context(framework, 'no', '-- pglens: no-transaction');
  if (config.transactional !== undefined) {
    return context(framework, config.transactional ? 'yes' : 'no', `migrationsInTransaction: ${config.transactional} in pglens.json`);
  }
  if (model) {
    const decided = model.model(fileText, statementCount, config);
    return context(framework, decided.transaction, decided.reason);
  }
  if (/\.(js|cjs|mjs|ts|mts|cts)$/.test(file)) {
    const flag = objectFlag(fileText, config);
    const property = config.noTransactionProperty ?? 'noTransaction';
    if (flag === true) return context('migration object', 'no', `the migration object says ${property}: true`);
    if (flag === false) return context('migration object', 'yes', `the migration object says ${property}: false`);
  }
  return context(framework, 'unknown', UNKNOWN_RUNNER_REASON);
}

/** A one-line description of a layout, for `--verbose` ("prisma: each file is sent as one query ..."). */
export function describeLayout(framework: string): string {
  switch (framework) {
    case 'prisma':
      return 'Prisma migrations: each file is sent as one query (several statements run in one implicit transaction, a single statement alone)';
    case 'golang-migrate':
      return 'golang-migrate migrations: each file is sent as one query (several statements run in one implicit transaction, a single statement alone)';
    case 'flyway':
      return 'Flyway migrations: each runs in a transaction, except one whose statements cannot run in one';
    case 'dbmate':
      return 'dbmate migrations: each runs in a transaction unless it says transaction:false';
    case 'graphile-migrate':
      return 'graphile-migrate migrations: each runs in a transaction unless it says --! no-transaction';
    case 'supabase':
      return 'Supabase CLI migrations: each file runs as one batch in a transaction (a single statement alone)';
    case 'drizzle':
      return 'drizzle-kit migrations: pending migrations run in one transaction';
    case 'node-pg-migrate':
      return 'node-pg-migrate migrations: each runs in a transaction unless it calls pgm.noTransaction()';
    case 'knex':
      return 'knex migrations: each runs in a transaction unless config.transaction = false';
    case 'sequelize':
      return 'sequelize migrations: run without a transaction unless the migration opens one';
    case 'migration object':
      return 'migration objects: a noTransaction flag says which run without a transaction';
    case 'config':
      return 'migrations (from the "migrations" globs); runner unknown: "migrationsInTransaction" says whether they run in a transaction';
    default:
      return 'a migrations folder; runner unknown: "migrationsInTransaction" in pglens.json says whether they run in a transaction';
  }
}

/**
 * migrationContextFor for a run, which logs each folder's layout once (the CLI's `--verbose` prints the engine log):
 * "prisma/migrations: Prisma migrations: ...".
 */
export function migrationContextResolver(config: MigrationConfig, log?: (message: string) => void): (file: string, text: string) => MigrationContextInfo {
  const described = new Set<string>();
  return (file, text) => {
    const context = migrationContextFor(file, text, config);
    if (log && context.isMigration && context.framework) {
      const folder = path.dirname(context.framework === 'prisma' ? path.dirname(file) : file);
      const key = `${folder}\u0000${context.framework}`;
      if (!described.has(key)) {
        described.add(key);
        const shown = config.root ? toPosix(path.relative(config.root, folder)) || '.' : toPosix(folder);
        log(`${shown}: ${describeLayout(context.framework)}`);
      }
    }
    return context;
  };
}

/**
 * The PostgreSQL version lock decisions are made for: the connected server's, else the config's
 * `postgresVersion` (major, e.g. 15), else undefined (pglens then assumes a current server).
 */
export function targetServerVersion(options: { serverVersionNum?: number; postgresVersion?: number } = {}): number | undefined {
  if (options.serverVersionNum) return options.serverVersionNum;
  if (options.postgresVersion) return options.postgresVersion >= 1000 ? options.postgresVersion : options.postgresVersion * 10000;
  return undefined;
}

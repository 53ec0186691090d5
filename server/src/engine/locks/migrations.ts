// Which files are migrations, whether each runs inside one transaction, and which PostgreSQL version they target.
// Lock rules are stricter on migrations (they run against production tables, usually during a deploy) and
// `concurrently-in-transaction` needs to know whether the framework wraps each file in BEGIN ... COMMIT.

import * as path from 'node:path';
import picomatch from 'picomatch';
import type { MigrationContext } from '../rules/rule';

export interface MigrationConfig {
  /** Globs (relative to `root`, or matched against the whole path) of migration files. */
  migrations?: string[];
  /** Whether migrations run inside one transaction; overrides the framework default. */
  transactional?: boolean;
  /** Workspace root, for relative globs. */
  root?: string;
}

export interface MigrationContextInfo extends MigrationContext {
  /** The layout or framework recognised: "prisma", "supabase", "drizzle", "knex", "sequelize", "flyway", "golang-migrate", "dbmate", "config", "migrations folder". */
  framework?: string;
  /** Why the transaction setting is what it is, for messages. */
  transactionReason?: string;
}

interface Layout {
  framework: string;
  test: RegExp;
}

// Matched against the path with forward slashes; the first match names the framework.
const LAYOUTS: Layout[] = [
  { framework: 'prisma', test: /(^|\/)prisma\/migrations\/[^/]+\/migration\.sql$/ },
  { framework: 'supabase', test: /(^|\/)supabase\/migrations\/[^/]+\.sql$/ },
  { framework: 'drizzle', test: /(^|\/)drizzle\/(.*\/)?[^/]+\.sql$/ },
  { framework: 'flyway', test: /(^|\/)(db\/migration|sql)\/(.*\/)?[VR]\d[\w.]*__[^/]+\.sql$/ },
  { framework: 'golang-migrate', test: /(^|\/)[^/]*migrations?\/(.*\/)?\d+_[^/]+\.(up|down)\.sql$/ },
  { framework: 'migrations folder', test: /(^|\/)(db\/)?migrations?\/(.*\/)?[^/]+\.(sql|js|cjs|mjs|ts)$/ },
];

function toPosix(p: string): string {
  return p.split(path.sep).join('/').replace(/\\/g, '/');
}

/** Which migration layout a file belongs to, if any. */
export function detectMigrationLayout(file: string, config: MigrationConfig = {}): string | undefined {
  const posix = toPosix(file);
  const relative = config.root ? toPosix(path.relative(config.root, file)) : posix;
  if (config.migrations && config.migrations.length > 0) {
    const match = picomatch(config.migrations, { dot: true });
    if (match(relative) || match(posix)) return 'config';
  }
  if (/\.d\.ts$/.test(posix) || /(^|\/)node_modules\//.test(posix)) return undefined;
  for (const layout of LAYOUTS) if (layout.test.test(relative) || layout.test.test(posix)) return layout.framework;
  return undefined;
}

/** What a .sql file or a JS/TS migration says about its own transaction. */
function transactionFromText(fileText: string, isScript: boolean): { inTransaction?: boolean; reason?: string; framework?: string } {
  if (/pglens:[ \t]*no-transaction/.test(fileText)) return { inTransaction: false, reason: '-- pglens: no-transaction' };
  // dbmate: "-- migrate:up transaction:false"
  if (/--\s*migrate:up\s+transaction:\s*false/i.test(fileText)) return { inTransaction: false, reason: 'dbmate transaction:false', framework: 'dbmate' };
  if (isScript) {
    // knex: exports.config = { transaction: false }; export const config = { transaction: false }
    if (/config\s*=\s*\{[^}]*transaction\s*:\s*false/.test(fileText)) return { inTransaction: false, reason: 'knex config.transaction = false', framework: 'knex' };
    // sequelize (umzug) runs migrations outside a transaction unless the migration opens one.
    if (/\bqueryInterface\b/.test(fileText)) {
      return /\.transaction\s*\(/.test(fileText)
        ? { inTransaction: true, reason: 'sequelize migration using a transaction', framework: 'sequelize' }
        : { inTransaction: false, reason: 'sequelize runs migrations without a transaction', framework: 'sequelize' };
    }
    if (/\bknex\b|\bKnex\b/.test(fileText)) return { inTransaction: true, reason: 'knex runs each migration in a transaction', framework: 'knex' };
  }
  return {};
}

/**
 * The migration context of a file: whether it is a migration (config globs or a known layout) and whether it
 * runs in one transaction. Most frameworks wrap each migration in a transaction (Prisma, Drizzle, Flyway,
 * knex, dbmate, Supabase; golang-migrate sends a file as one multi-statement query, which PostgreSQL runs as one
 * implicit transaction), so that is the default. `-- pglens: no-transaction` in the file, the config's
 * `migrationsInTransaction: false`, knex's `config = { transaction: false }` or dbmate's `transaction:false` say otherwise.
 * An explicit BEGIN/COMMIT in the file is handled per statement by the rules (`fileHistory().openTransaction`).
 */
export function migrationContextFor(file: string, fileText: string, config: MigrationConfig = {}): MigrationContextInfo {
  const framework = detectMigrationLayout(file, config);
  if (!framework) return { isMigration: false, inTransaction: false };
  const isScript = /\.(js|cjs|mjs|ts)$/.test(file);
  const fromText = transactionFromText(fileText, isScript);
  if (fromText.inTransaction === false && fromText.reason === '-- pglens: no-transaction') {
    return { isMigration: true, inTransaction: false, framework, transactionReason: fromText.reason };
  }
  if (config.transactional !== undefined) {
    return {
      isMigration: true,
      inTransaction: config.transactional,
      framework: fromText.framework ?? framework,
      transactionReason: 'migrationsInTransaction in pglens.json',
    };
  }
  if (fromText.inTransaction !== undefined) {
    return { isMigration: true, inTransaction: fromText.inTransaction, framework: fromText.framework ?? framework, transactionReason: fromText.reason };
  }
  return { isMigration: true, inTransaction: true, framework, transactionReason: `${framework} runs each migration in a transaction` };
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

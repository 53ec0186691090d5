// The workspace core: for one folder (and the overrides of a command line or an editor) it loads and validates
// pglens.json, applies Workspace Trust, resolves the database (configured, environment, embedded), the migration
// context and which migrations are judged, the file filter, and builds the engine. `pglens check`, `pglens locks`
// and the language server are thin adapters over `openWorkspace`; none of them reads config on its own.
// Which files a workspace reads: the config's include globs minus its exclude globs, relative to the folder of the
// config file. Explicitly named files are always read when pglens knows their language.

import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { Engine, PLAN_ERROR_RULE, type EngineOptions, type FileAnalysis } from './analyze';
import { ConfigError, findConfigFile, loadConfig, mergeConfig, type PglensConfig, type RuleSetting } from './config';
import type { DatabaseClient } from './db/client';
import { openDatabaseForWorkspace } from './db/open';
import { readWorkspaceTextFile, realPathInside } from './files';
import { findSqlInFile } from './find/index';
import { locksForStatement } from './locks/lockModel';
import { detectMigrationLayout, migrationContextFor, migrationContextResolver, type MigrationConfig, type MigrationContextInfo } from './locks/migrations';
import { compareMigrationNames, filesChangedSince, isAtOrBeforeBaseline, isDownFile, migrationName, withoutDownCode, type MigrationVerdict } from './migrationScope';
import { parseSite, type ParsedStatement } from './parse/parse';
import { allRules } from './rules/index';
import { readSnapshotFile, SnapshotFileError, type ProductionSnapshot } from './snapshot/format';
import { addRuntimeCostNotes, RuntimeCosts } from './snapshot/match';

const KNOWN_EXTENSIONS = new Set(['.sql', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts']);
const ALWAYS_SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export class MissingPathError extends Error {
  constructor(readonly target: string) {
    super(`no such file or directory: ${target}`);
    this.name = 'MissingPathError';
  }
}

export function isKnownSourceFile(file: string): boolean {
  return KNOWN_EXTENSIONS.has(path.extname(file).toLowerCase()) && !file.endsWith('.d.ts');
}

export function createFileFilter(config: PglensConfig): (file: string) => boolean {
  const include = picomatch(config.include, { dot: false });
  const exclude = picomatch(config.exclude, { dot: true });
  return (file: string) => {
    const relative = path.relative(config.root, path.resolve(file)).split(path.sep).join('/');
    // Files outside the config's folder are matched by their own path.
    const subject = relative.startsWith('..') ? path.resolve(file).split(path.sep).join('/') : relative;
    return include(subject) && !exclude(subject);
  };
}

/**
 * Files to check under the given paths, sorted, each once. Throws MissingPathError for a path that does not exist.
 * Symlinked files and folders are followed only while their real path stays inside the folder they were found
 * under (a link to `/` or to another user's home is not walked), each real folder once (no loops). Whether a listed
 * file can be read (a FIFO, a device, too large) is decided when it is read, so it is reported there, once.
 */
export function listSourceFiles(paths: string[], config: PglensConfig): string[] {
  const accepts = createFileFilter(config);
  const found = new Set<string>();
  const visitedFolders = new Set<string>();
  const visit = (dir: string, root: string) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (visitedFolders.has(real)) return;
    visitedFolders.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to check there
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!ALWAYS_SKIPPED_DIRS.has(entry.name)) visit(full, root);
      } else if (entry.isSymbolicLink()) {
        if (ALWAYS_SKIPPED_DIRS.has(entry.name)) continue;
        const target = realPathInside(full, root);
        if (target === undefined) continue; // leaves the folder being checked, or dangles
        let stat: fs.Stats;
        try {
          stat = fs.statSync(target);
        } catch {
          continue;
        }
        if (stat.isDirectory()) visit(full, root);
        else if (isKnownSourceFile(full) && accepts(full)) found.add(full);
      } else if (isKnownSourceFile(full) && accepts(full)) {
        // Regular files, and FIFOs, devices or sockets named like source files: reading refuses those with a message.
        found.add(full);
      }
    }
  };
  for (const target of paths) {
    const resolved = path.resolve(target);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new MissingPathError(target);
    }
    if (stat.isDirectory()) visit(resolved, resolved);
    else if (isKnownSourceFile(resolved)) found.add(resolved);
  }
  return [...found].sort();
}

/** Whether a command-line path is a glob (quoted by the shell, so pglens expands it). */
function isGlob(target: string): boolean {
  return /[*?[\]{}]/.test(target);
}

/**
 * Command-line paths with quoted globs expanded (`'db/migrations/*.sql'`), relative to `cwd`. A glob that matches no
 * file is a MissingPathError like a missing path: a typo must not pass as "nothing to check".
 */
export function expandPathArguments(targets: string[], cwd: string, config: PglensConfig): string[] {
  const out: string[] = [];
  for (const target of targets) {
    const resolved = path.resolve(cwd, target);
    if (fs.existsSync(resolved) || !isGlob(target)) {
      out.push(resolved);
      continue;
    }
    const posix = target.split(path.sep).join('/');
    const parts = posix.split('/');
    const firstGlob = parts.findIndex((part) => isGlob(part));
    const base = path.resolve(cwd, parts.slice(0, firstGlob).join('/') || '.');
    const matcher = picomatch(path.resolve(cwd, target).split(path.sep).join('/'), { dot: false });
    const matched = fs.existsSync(base) ? listSourceFiles([base], config).filter((file) => matcher(file.split(path.sep).join('/'))) : [];
    if (matched.length === 0) throw new MissingPathError(target);
    out.push(...matched);
  }
  return out;
}

/** What a command line or an editor adds to a folder's pglens.json. */
export interface WorkspaceOverrides {
  /** A config file named by `--config` or `pglens.configPath` (relative to `cwd`); else found from the folder upwards. */
  configFile?: string;
  /** Where relative paths are resolved and, with no pglens.json, the workspace root (default: the folder). */
  cwd?: string;
  /** A database URL from `--db` or the editor's settings; wins over pglens.json. */
  databaseUrl?: string;
  /** Rule severities from the editor's settings. */
  rules?: Record<string, RuleSetting>;
  /** The environment `${env:...}`, DATABASE_URL and PG* are read from. */
  env?: NodeJS.ProcessEnv;
  /** Build the embedded database when no database is configured. */
  allowEmbedded: boolean;
  cacheDir?: string;
  /**
   * False for an untrusted folder (VS Code Workspace Trust): the repository may not choose the database (database.*
   * of pglens.json, the environment, the embedded database that would run its schema files) nor the config file;
   * only `userDatabaseUrl` is used, and index trials are off.
   */
  trusted?: boolean;
  userDatabaseUrl?: string;
  /** A password kept apart from the URL (the editor's SecretStorage): PGPASSWORD, or put into the URL by `withPassword`. */
  password?: string;
  withPassword?: (url: string) => string;
  /** `--snapshot FILE` (relative to `cwd`): production statistics; wins over pglens.json `snapshot`. */
  snapshotFile?: string;
  /** `--changed-since REF`: migrations git does not list as changed since the merge base with REF are history. */
  changedSince?: string;
  /** The engine will see the same files again and again (an editor). */
  incremental?: boolean;
  /**
   * 'defaults' (the editor): an invalid pglens.json is reported in `configError` and the defaults are used;
   * 'throw' (the CLI, the default): ConfigError.
   */
  onConfigError?: 'throw' | 'defaults';
  /**
   * 'continue' (the editor): a database that cannot be reached is reported in `databaseError` and the workspace has
   * no database; 'throw' (the CLI, the default): DatabaseUnavailableError and the like.
   */
  onDatabaseError?: 'throw' | 'continue';
  log?: (message: string) => void;
  onProgress?: (message: string) => void;
}

export interface Workspace {
  root: string;
  config: PglensConfig;
  configError?: string;
  database?: DatabaseClient;
  databaseError?: Error;
  /** The production statistics snapshot (pglens.json `snapshot` or `--snapshot`), and its runtime numbers by statement. */
  snapshot?: ProductionSnapshot;
  runtimeCosts?: RuntimeCosts;
  /** Notes for a log: untrusted folder, the layout a migration matched. */
  notices: string[];
  engine: WorkspaceEngine;
  /** Whether the config's include/exclude globs accept a file. */
  accepts(file: string): boolean;
  /** Files under the given paths (folders walked, quoted globs expanded), sorted. Throws MissingPathError. */
  listFiles(targets: string[], cwd?: string): string[];
  /** Whether a file is a migration, its layout, whether it runs in a transaction. */
  migrationContextFor(file: string, text: string): MigrationContextInfo;
  /** What decides that, from pglens.json (for the lock report's per-file header). */
  migrationConfig: MigrationConfig;
  /** Whether a file's lock findings and plans count: code always, a migration unless it is history or down code. */
  verdictFor(file: string): MigrationVerdict;
  /** With `changedSince`: the files (absolute) git lists as changed since the merge base, and untracked ones. */
  changedFiles?: Set<string>;
  /** The text that is judged: a migration's down code blanked out (same offsets), unless migrations.checkDown. */
  judgedText(file: string, text: string): string;
  /**
   * The migrations of a run, for "changed by an earlier migration": the CLI gives the files it checks; the editor a
   * function listing the folder, called when a migration is first analysed and again after `engine.refreshSchema()`.
   */
  setRunFiles(files: string[] | (() => string[])): void;
  close(): Promise<void>;
}

/** The config of an untrusted folder: rules apply, nothing that picks or touches a database. */
function untrustedConfig(config: PglensConfig, root: string, userUrl: string | undefined): PglensConfig {
  const defaults = loadConfig(undefined, root);
  // production.url too: a repository may not choose which server the editor connects to with the user's password.
  return { ...config, database: { ...defaults.database, url: userUrl }, production: undefined, advisor: { ...config.advisor, indexTrials: false } };
}

/** The root of the workspace a folder belongs to: the folder of the nearest pglens.json above it, else the folder itself. */
export function workspaceRootFor(folder: string): string {
  const configFile = findConfigFile(folder);
  return configFile ? path.dirname(configFile) : folder;
}

/** Loads a folder's config with the overrides applied; throws ConfigError unless `onConfigError` is 'defaults'. */
export function loadWorkspaceConfig(folder: string, overrides: WorkspaceOverrides): { config: PglensConfig; configError?: ConfigError } {
  const trusted = overrides.trusted !== false;
  const env = trusted ? (overrides.env ?? process.env) : {};
  const cwd = overrides.cwd ?? startDirOf(folder);
  let config: PglensConfig;
  let configError: ConfigError | undefined;
  try {
    // An empty path (the editor setting's default) names no file: the nearest pglens.json is used.
    const named = trusted && overrides.configFile ? path.resolve(cwd, overrides.configFile) : undefined;
    if (named !== undefined && !fs.existsSync(named)) throw new ConfigError(overrides.configFile!, '', 'config file not found');
    config = loadConfig(named ?? findConfigFile(startDirOf(folder)), cwd, env);
  } catch (error) {
    if (!(error instanceof ConfigError) || overrides.onConfigError !== 'defaults') throw error;
    configError = error;
    config = loadConfig(undefined, cwd);
  }
  // An override sets a rule's severity; the options pglens.json gives it stay.
  const rules = Object.fromEntries(Object.entries(overrides.rules ?? {}).map(([id, setting]) => [id, { ...config.rules[id], ...setting }]));
  config = mergeConfig(config, { databaseUrl: trusted ? overrides.databaseUrl : undefined, rules });
  if (!trusted) config = untrustedConfig(config, config.root, overrides.userDatabaseUrl?.trim() || undefined);
  return { config, configError };
}

function startDirOf(target: string): string {
  try {
    return fs.statSync(target).isDirectory() ? target : path.dirname(target);
  } catch {
    return path.dirname(target);
  }
}

/**
 * The workspace of a folder (or of the folder of a file): config, database, migrations, file filter and engine.
 * Throws ConfigError, DatabaseUnavailableError or ChangedSinceError (each one line for the user) unless the
 * overrides ask to carry on.
 */
export async function openWorkspace(folder: string, overrides: WorkspaceOverrides): Promise<Workspace> {
  const { config, configError } = loadWorkspaceConfig(folder, overrides);
  const trusted = overrides.trusted !== false;
  const notices: string[] = [];
  const changed = overrides.changedSince !== undefined ? filesChangedSince(overrides.changedSince, startDirOf(folder)) : undefined;
  const userUrl = trusted ? undefined : overrides.userDatabaseUrl?.trim() || undefined;
  if (!trusted) notices.push(`untrusted workspace: the database settings of pglens.json and of the workspace are ignored${userUrl ? '; using the database URL from your user settings' : ''}`);

  // A snapshot that cannot be read is like a bad config: one line for the CLI, a notice for the editor.
  let snapshot: ProductionSnapshot | undefined;
  const snapshotFile = overrides.snapshotFile ? path.resolve(overrides.cwd ?? startDirOf(folder), overrides.snapshotFile) : config.snapshot;
  if (snapshotFile) {
    try {
      snapshot = readSnapshotFile(snapshotFile);
    } catch (error) {
      if (!(error instanceof SnapshotFileError) || overrides.onConfigError !== 'defaults') throw error;
      notices.push(`production snapshot not used: ${error.message}`);
    }
  }

  let database: DatabaseClient | undefined;
  let databaseError: Error | undefined;
  if (trusted || userUrl) {
    try {
      // Untrusted: not even the environment (a repository's .envrc may have set DATABASE_URL or PG*).
      const env = trusted ? (overrides.env ?? process.env) : {};
      const url = trusted ? (config.database.url ?? env.DATABASE_URL) : userUrl;
      const password = overrides.password;
      database = await openDatabaseForWorkspace({
        config,
        cliUrl: url && overrides.withPassword ? overrides.withPassword(url) : url,
        env: password && !url ? { ...env, PGPASSWORD: password } : env,
        allowEmbedded: trusted && overrides.allowEmbedded,
        cacheDir: overrides.cacheDir,
        onProgress: overrides.onProgress,
        snapshot,
      });
    } catch (error) {
      if (overrides.onDatabaseError !== 'continue') throw error;
      databaseError = error as Error;
    }
  }

  const migrationConfig: MigrationConfig = {
    migrations: config.migrations,
    transactional: config.migrationsInTransaction,
    root: config.root,
    noTransactionProperty: config.migrationsNoTransactionProperty,
  };
  const verdictFor = (file: string): MigrationVerdict => {
    const layout = detectMigrationLayout(file, migrationConfig);
    if (!layout) return { judged: true };
    if (!config.migrationsCheckDown && isDownFile(file)) return { judged: false, reason: 'down migration (rollback code is not judged; set migrations.checkDown to judge it)' };
    if (config.migrationsBaseline !== undefined && isAtOrBeforeBaseline(migrationName(file), config.migrationsBaseline)) {
      return { judged: false, reason: `historical migration: at or before migrations.baseline "${config.migrationsBaseline}"` };
    }
    if (changed && !changed.has(path.resolve(file))) return { judged: false, reason: `historical migration: unchanged since ${overrides.changedSince}` };
    return { judged: true };
  };
  const runtimeCosts = snapshot?.statements.available ? new RuntimeCosts(snapshot) : undefined;
  const engine = new WorkspaceEngine({
    config,
    database,
    incremental: overrides.incremental,
    // Each folder's layout is said once in the log (`--verbose`): which tool pglens thinks runs the migrations.
    migrationContextFor: migrationContextResolver(migrationConfig, overrides.log),
    log: overrides.log,
    verdictFor,
    isMigration: (file) => detectMigrationLayout(file, migrationConfig) !== undefined,
    runtimeCosts,
  });
  return {
    root: config.root,
    config,
    configError: configError ? configError.message : undefined,
    database,
    databaseError,
    snapshot,
    runtimeCosts,
    notices,
    engine,
    accepts: createFileFilter(config),
    listFiles: (targets, cwd = config.root) => listSourceFiles(expandPathArguments(targets, cwd, config), config),
    migrationContextFor: (file, text) => migrationContextFor(file, text, migrationConfig),
    migrationConfig,
    verdictFor,
    changedFiles: changed,
    judgedText: (file, text) => engine.judgedText(file, text),
    setRunFiles: (files) => engine.setRunFiles(files),
    close: async () => {
      await database?.close().catch(() => undefined);
    },
  };
}

interface WorkspaceEngineOptions extends EngineOptions {
  verdictFor(file: string): MigrationVerdict;
  isMigration(file: string): boolean;
  /** Production numbers per statement: each analysed statement production runs gets them, and its findings a note. */
  runtimeCosts?: RuntimeCosts;
}

/**
 * Findings that hold only against the schema the statement runs against: the rules that judge a plan, PostgreSQL's
 * refusal to plan, and fk-without-index (the foreign keys that reference the table today).
 */
const PLAN_RULE_IDS = new Set([PLAN_ERROR_RULE, 'fk-without-index', ...allRules.filter((rule) => rule.meta.kind === 'plan').map((rule) => rule.meta.id)]);

/**
 * The engine, judging only what a deploy will run: a historical migration or a down file is one skip and nothing
 * else (no lock finding, never planned); down code inside a migration is blanked before analysis; a statement of a
 * new migration that reads or writes a table an earlier new migration of the run changes keeps no plan finding (its
 * plan was made against today's schema, which that migration has not changed yet) and says why. Likewise, when the
 * embedded database was built from the migrations themselves, a statement of a migration that a later migration's DDL
 * changes the tables of: the embedded schema is the one after every migration, not the one it ran against (lemmy's
 * 2020 DELETEs judged by foreign keys of tables created in 2025, an UPDATE of a table a later migration dropped).
 */
export class WorkspaceEngine extends Engine {
  private runFiles: string[] | undefined;
  private listRunFiles: (() => string[]) | undefined;
  private changedByRun: Map<string, Set<string>> | undefined;

  constructor(private readonly scope: WorkspaceEngineOptions) {
    super(scope);
  }

  /** Production's numbers from now on (live mode reads new ones): analyses from now on carry these. */
  setRuntimeCosts(costs: RuntimeCosts | undefined): void {
    this.scope.runtimeCosts = costs;
  }

  get runtimeCosts(): RuntimeCosts | undefined {
    return this.scope.runtimeCosts;
  }

  setRunFiles(files: string[] | (() => string[])): void {
    this.listRunFiles = typeof files === 'function' ? files : undefined;
    this.runFiles = typeof files === 'function' ? undefined : this.migrationsInOrder(files);
    this.changedByRun = undefined;
  }

  /** A migration ran, or a migration file changed: the run's order and what its migrations change are read again. */
  override refreshSchema(): void {
    super.refreshSchema();
    this.changedByRun = undefined;
    if (this.listRunFiles) this.runFiles = undefined;
  }

  private migrationsInOrder(files: string[]): string[] {
    return files
      .map((file) => path.resolve(file))
      .filter((file) => this.scope.isMigration(file))
      .sort((a, b) => compareMigrationNames(migrationName(a), migrationName(b)) || (a < b ? -1 : a > b ? 1 : 0));
  }

  judgedText(file: string, text: string): string {
    return this.config.migrationsCheckDown || !this.scope.isMigration(file) ? text : (withoutDownCode(file, text) ?? text);
  }

  override async analyzeFile(file: string, text: string, options: Parameters<Engine['analyzeFile']>[2] = {}): Promise<FileAnalysis> {
    const verdict = isPgTapScript(file, text)
      ? { judged: false as const, reason: 'pgTAP test script (select plan(...) ... finish()): it runs against a test database, in a transaction it rolls back; not checked' }
      : this.scope.verdictFor(file);
    if (!verdict.judged) {
      return { file, findings: [], statements: [], skipped: text.trim() ? [{ file, fileStart: 0, fileEnd: 0, reason: verdict.reason }] : [], sitesChecked: 0 };
    }
    const analysis = withRuntimeCosts(await super.analyzeFile(file, this.judgedText(file, text), options), this.scope.runtimeCosts);
    // A script named for a migration's version (ory's migratest/testdata/20200402142539_testdata.sql: fixtures written
    // for the schema of that day) is read as of that version, like the migration itself.
    if (!this.scope.isMigration(file) && !(/\.sql$/i.test(file) && VERSIONED.test(migrationName(file)))) return analysis;
    // Built from the migrations themselves, the embedded schema already holds every earlier one: what differs from the
    // schema a statement ran against is what came after it, in later migrations and further down its own file.
    const later = this.tablesChangedAfterInEmbeddedSchema(file);
    const earlier = later ? new Map<string, string>() : this.tablesChangedBefore(file);
    if (earlier.size === 0 && !later) return analysis;
    const changedFurtherDown = new Map<string, string>();
    // Decided once on the first analysis; the one with advice (the editor) gets the same statements left out.
    const dropped: Array<{ start: number; end: number; reason: string }> = [];
    for (let i = analysis.statements.length - 1; i >= 0; i--) {
      const analyzed = analysis.statements[i];
      const touched = locksForStatement(analyzed.statement).locks.map((lock) => lock.table.toLowerCase());
      const planFindings = analysis.findings.some((f) => PLAN_RULE_IDS.has(f.ruleId) && f.fileStart >= analyzed.fileStart && f.fileStart <= analyzed.fileEnd);
      if (analyzed.plan || planFindings) {
        const changedBy = (changes: Map<string, string>) => touched.filter((table) => changes.has(table)).map((table) => `${table} (${changes.get(table)})`);
        const before = changedBy(earlier);
        const after = before.length === 0 && later ? changedBy(new Map([...later, ...changedFurtherDown])) : [];
        if (before.length > 0 || after.length > 0) {
          analyzed.plan = undefined;
          analyzed.planSkippedReason =
            before.length > 0
              ? `not planned: an earlier migration of this run changes ${before.join(', ')}, so today's schema is not the one it runs against`
              : `not planned: ${after.join(', ')} changed after this statement, so the embedded schema (built from every migration) is not the one it ran against`;
          dropped.push({ start: analyzed.fileStart, end: analyzed.fileEnd, reason: analyzed.planSkippedReason });
        }
      }
      if (later && changesWhatThePlannerSees(analyzed.statement)) {
        const line = `line ${analyzed.range.start.line + 1}`;
        for (const table of touched) changedFurtherDown.set(table, line);
      }
    }
    dropped.reverse();
    if (dropped.length === 0) return analysis;
    const limit = (result: FileAnalysis): FileAnalysis => ({
      ...result,
      findings: result.findings.filter((f) => !(PLAN_RULE_IDS.has(f.ruleId) && dropped.some(({ start, end }) => f.fileStart >= start && f.fileStart <= end))),
      skipped: [...result.skipped, ...dropped.map(({ start, end, reason }) => ({ file, fileStart: start, fileEnd: end, reason }))],
      // Each is counted once, as skipped with its reason: the run's site count stays the number of sites in the files.
      ...(result.sitesChecked !== undefined ? { sitesChecked: Math.max(0, result.sitesChecked - dropped.length) } : {}),
      ...(result.withAdvice ? { withAdvice: result.withAdvice.then(limit) } : {}),
    });
    return limit(analysis);
  }

  /** Tables (lower-case names) that DDL of the run's new migrations before `file` changes, with the migration. */
  private tablesChangedBefore(file: string): Map<string, string> {
    if (this.runFiles === undefined && this.listRunFiles) {
      try {
        this.runFiles = this.migrationsInOrder(this.listRunFiles());
      } catch {
        this.runFiles = []; // the folder went away meanwhile: no order to go by
      }
    }
    const run = this.runFiles ?? [];
    const index = run.indexOf(path.resolve(file));
    const result = new Map<string, string>();
    if (index <= 0) return result;
    for (const earlier of run.slice(0, index)) {
      if (!this.scope.verdictFor(earlier).judged) continue;
      for (const table of this.tablesChangedBy(earlier)) result.set(table, path.basename(earlier));
    }
    return result;
  }

  /**
   * When the embedded database was built from schema files that include `file`: tables (lower-case names) that DDL of
   * the schema files applied after it changes, each with the first of them (undefined when `file` is not one).
   */
  private tablesChangedAfterInEmbeddedSchema(file: string): Map<string, string> | undefined {
    const database = this.database as (DatabaseClient & { schemaFiles?: unknown }) | undefined;
    if (database?.info.kind !== 'embedded' || !Array.isArray(database.schemaFiles)) return undefined;
    const schemaFiles = (database.schemaFiles as string[]).map((schemaFile) => path.resolve(schemaFile));
    let index = schemaFiles.indexOf(path.resolve(file));
    if (index < 0) {
      // Not a schema file: a script named for a version stands after the schema files of that version or before it.
      const version = VERSIONED.exec(migrationName(file))?.[1];
      if (version === undefined || this.scope.isMigration(file)) return undefined;
      const after = schemaFiles.findIndex((schemaFile) => versionOrder(VERSIONED.exec(migrationName(schemaFile))?.[1], version) > 0);
      if (after < 0) return undefined;
      index = after - 1;
    }
    const result = new Map<string, string>();
    for (const later of schemaFiles.slice(index + 1)) {
      for (const table of this.tablesChangedBy(later)) if (!result.has(table)) result.set(table, migrationLabel(later));
    }
    return result;
  }

  /** Tables (lower-case names) a migration's DDL changes (its down code left out), read once per file. */
  private tablesChangedBy(migration: string): Set<string> {
    this.changedByRun ??= new Map();
    let tables = this.changedByRun.get(migration);
    if (!tables) {
      tables = new Set();
      const read = readWorkspaceTextFile(migration, { root: this.config.root, maxBytes: this.config.files.maxBytes });
      if (read.ok) {
        for (const site of findSqlInFile(migration, withoutDownCode(migration, read.text) ?? read.text).sites) {
          for (const statement of parseSite(site).statements) {
            if (!changesWhatThePlannerSees(statement)) continue;
            for (const lock of locksForStatement(statement).locks) tables.add(lock.table.toLowerCase());
          }
        }
      }
      this.changedByRun.set(migration, tables);
    }
    return tables;
  }
}

/** Statements that change no table, column or index a plan depends on: data, grants, comments, policies, triggers, views. */
const KEEPS_PLANS = /^(Select|Insert|Update|Delete|Transaction|VariableSet|Explain|Grant|GrantRole|Comment|CreatePolicy|AlterPolicy|CreateTrig|View|CreateFunction|AlterOwner|Vacuum)Stmt$/;
/** ALTER TABLE subcommands of the same kind: row security, owner, enabling or disabling triggers and rules. */
const KEEPS_PLANS_ALTER = /^AT_(EnableRowSecurity|DisableRowSecurity|ForceRowSecurity|NoForceRowSecurity|ChangeOwner|EnableTrig\w*|DisableTrig\w*|EnableRule|DisableRule|EnableAlwaysRule|EnableReplicaRule)$/;

/** Whether a migration statement can change what the planner sees of the tables it touches (DDL but not grants, RLS, ...). */
function changesWhatThePlannerSees(statement: ParsedStatement): boolean {
  if (KEEPS_PLANS.test(statement.kind)) return false;
  if (statement.kind !== 'AlterTableStmt') return true;
  const commands = (statement.node.AlterTableStmt?.cmds ?? []) as Array<{ AlterTableCmd?: { subtype?: string } }>;
  return commands.length === 0 || commands.some((command) => !KEEPS_PLANS_ALTER.test(command.AlterTableCmd?.subtype ?? ''));
}

/**
 * A pgTAP test (Supabase's `supabase/tests/database/*.sql`, pg_prove's `t/*.sql`): `SELECT plan(n)` or `no_plan()`,
 * assertions, `SELECT * FROM finish()`. Its writes set up fixtures on a test database and are rolled back: judging
 * them as the application's SQL (an UPDATE without WHERE of a one-row settings table) is noise.
 */
function isPgTapScript(file: string, text: string): boolean {
  return /\.(sql|pg)$/i.test(file) && /\bselect\s+(?:\*\s+from\s+)?(?:plan\s*\(\s*\d+\s*\)|no_plan\s*\(\s*\))/i.test(text) && /\bfinish\s*\(\s*\)/i.test(text);
}

/** A name that starts with a timestamp version (8 digits or more: `20200402142539_testdata`). */
const VERSIONED = /^(\d{8,})(?:[_.-]|$)/;

/**
 * How a schema file's version compares with a script's, on the digits both have: tools pad versions differently
 * (ory: migrations `20200402142539000000`, test data `20200402142539`). Unversioned schema files come first.
 */
function versionOrder(schemaVersion: string | undefined, version: string): number {
  if (schemaVersion === undefined) return -1;
  const length = Math.min(schemaVersion.length, version.length);
  const a = schemaVersion.slice(0, length);
  const b = version.slice(0, length);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A migration's file name, with its folder's when the name alone says nothing (`<stamp>_x/up.sql`, Prisma's `migration.sql`). */
function migrationLabel(file: string): string {
  const base = path.basename(file);
  return /^(up|down|migration)\.sql$/i.test(base) ? `${path.basename(path.dirname(file))}/${base}` : base;
}

/** The analysis with production's numbers on its statements and findings (and on the one with advice, when it comes). */
function withRuntimeCosts(analysis: FileAnalysis, costs: RuntimeCosts | undefined): FileAnalysis {
  if (!costs) return analysis;
  addRuntimeCostNotes(analysis, costs);
  return analysis.withAdvice ? { ...analysis, withAdvice: analysis.withAdvice.then((later) => withRuntimeCosts(later, costs)) } : analysis;
}

// pglens.json: the one config file, read the same way by the CLI and the language server. Comments and
// trailing commas are allowed (JSONC). Editor settings are applied on top with `mergeConfig`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import picomatch from 'picomatch';
import { DEFAULT_MAX_SOURCE_BYTES, MAX_CONFIG_BYTES, MAX_CONFIGURABLE_BYTES, readWorkspaceTextFile, stripBom } from './files';
import { normalizeDatabaseName } from './find/databaseNames';
import type { Severity } from './types';
import { ruleOptionSchemas, type RuleOptionSchema, type RuleOptionValue } from './rules/rule';
import { allRuleMetas } from './rules/index';
import { closestName } from './closestName';

export const CONFIG_FILE_NAME = 'pglens.json';

export interface RuleSetting {
  severity?: Severity;
  options?: Record<string, RuleOptionValue>;
}

export interface PglensConfig {
  database: {
    /** Connection URL; `${env:VAR}` is replaced from the environment. */
    url?: string;
    statementTimeoutMs: number;
    lockTimeoutMs: number;
    maxConnections: number;
  };
  include: string[];
  exclude: string[];
  find: { tags?: string[]; functions?: string[]; extraTags: string[]; extraFunctions: string[]; excludeTags: string[] };
  rules: Record<string, RuleSetting>;
  /** Schema files for the embedded database (globs relative to the config file). */
  schema?: string[];
  volumes?: Record<string, number>;
  values?: Record<string, unknown[]>;
  /** Globs of migration files (lock rules treat them as migrations): `migrations` as an array, or `migrations.paths`. */
  migrations?: string[];
  /**
   * `migrations.baseline`: migrations whose file name (or, for a migration file named like `migration.sql`, its
   * folder's name) sorts at or before this are history: never judged, never planned (see workspace.ts).
   */
  migrationsBaseline?: string;
  /** `migrations.checkDown`: judge down/rollback code too (`.down.sql`, `-- migrate:down`, `down` functions). */
  migrationsCheckDown?: boolean;
  /** `migrations.noTransactionProperty`: the property of a TS/JS migration object that says it runs without a transaction. */
  migrationsNoTransactionProperty?: string;
  /** Whether migrations run inside one transaction (most frameworks do). */
  migrationsInTransaction?: boolean;
  /** Target PostgreSQL major version when there is no database to ask. */
  postgresVersion?: number;
  /** `snapshot`: a production statistics snapshot (`pglens snapshot`), absolute; see docs/production-snapshot.md. */
  snapshot?: string;
  /**
   * `production`: live mode of the editor (docs/production-snapshot.md): the language server reads pg_stat_statements of
   * `url` (read-only, `${env:VAR}` allowed, the password kept apart) every `refreshSeconds`. Absent: off.
   */
  production?: { url?: string; refreshSeconds: number };
  advisor: {
    /** Allow building a real index inside a rolled-back transaction when hypopg is not installed. */
    indexTrials: boolean;
    /** Index trials only on tables with at most this many rows (they take a SHARE lock for the build). */
    maxTrialTableRows: number;
    /** A suggestion must cut the estimated cost by at least this share. */
    minCostReduction: number;
    /** Folder for migration files written by the "Add index" quick fix; detected when absent. */
    migrationsDir?: string;
  };
  files: {
    /** Code and SQL files larger than this are skipped with a message (memory stays bounded on any repository). */
    maxBytes: number;
    /**
     * Globs of test code (relative to the config file). Its schema changes and destructive statements are test set-up
     * (a TRUNCATE between tests, a DROP TABLE in a teardown), not changes to anyone's database: the rules about them
     * stay quiet there (see Engine's isSetupRule). Its queries are checked like any other.
     */
    tests: string[];
  };
  /**
   * Which database the SQL of a project's own modules and folders is for, by canonical database name (`clickhouse`,
   * `mysql`, `postgresql`, ...): SQL that is not PostgreSQL's is never checked. See find/databaseOf.ts.
   */
  databases?: Record<string, DatabaseSetting>;
  /** Folder the config was read from; globs and paths are relative to it. */
  root: string;
  /** The file it was read from, when there was one. */
  file?: string;
}

export interface DatabaseSetting {
  /**
   * Modules whose exports talk to this database: package specifiers (`@acme/ch`, also matching `@acme/ch/...`) or
   * project paths relative to the config file (`./src/clickhouse`, globs allowed), matched both as written in an
   * import and as the file the import resolves to.
   */
  imports: string[];
  /** Globs of files (relative to the config file) whose SQL is this database's, .sql and JS/TS alike. */
  paths: string[];
  /** The key as written in pglens.json, for messages. */
  key: string;
}

export const DEFAULT_INCLUDE = ['**/*.sql', '**/*.{ts,tsx,js,jsx,mjs,cjs,mts,cts}'];
export const DEFAULT_EXCLUDE = [
  '**/node_modules/**',
  '**/.git/**',
  '**/dist/**',
  '**/build/**',
  '**/out/**',
  '**/coverage/**',
  '**/*.d.ts',
  '**/*.min.js',
];

/** Where test code lives by the conventions of JS/TS test runners and of most repositories. */
export const DEFAULT_TEST_FILES = [
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  '**/spec/**',
  '**/e2e/**',
  '**/testing/**',
  '**/fixtures/**',
  '**/*.{test,spec,e2e-spec,e2e}.{ts,tsx,js,jsx,mjs,cjs,mts,cts}',
];

export function defaultConfig(root: string): PglensConfig {
  return {
    database: { statementTimeoutMs: 2000, lockTimeoutMs: 100, maxConnections: 4 },
    include: DEFAULT_INCLUDE,
    exclude: DEFAULT_EXCLUDE,
    find: { extraTags: [], extraFunctions: [], excludeTags: [] },
    rules: {},
    advisor: { indexTrials: false, maxTrialTableRows: 1_000_000, minCostReduction: 0.5 },
    files: { maxBytes: DEFAULT_MAX_SOURCE_BYTES, tests: DEFAULT_TEST_FILES },
    root,
  };
}

/**
 * A config problem, with the file, the line of the key when it is known, and the key:
 * `pglens.json:4: rules.seq-scan: unknown rule; did you mean "seq-scan-large-table"?`.
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly problem: string,
    /** 1-based line of the key (or of the value, for an array item) in the file. */
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${problem}`);
    this.name = 'ConfigError';
  }
}

/** Finds pglens.json in `startDir` or its parents (stopping at a .git folder or the file system root). */
export function findConfigFile(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads a config file, or the defaults when `file` is undefined. Throws ConfigError for anything wrong;
 * `env` resolves `${env:VAR}` in database.url.
 */
export function loadConfig(file: string | undefined, fallbackRoot: string, env: NodeJS.ProcessEnv = process.env): PglensConfig {
  if (!file) return defaultConfig(path.resolve(fallbackRoot));
  // Regular files only, capped, and a symlink only to a file beside or below it: a pglens.json pointing at
  // /dev/zero or a FIFO is one clear error, not gigabytes of memory or a hang.
  const read = readWorkspaceTextFile(file, { root: path.dirname(path.resolve(file)), maxBytes: MAX_CONFIG_BYTES });
  if (!read.ok) throw new ConfigError(file, '', read.kind === 'missing' ? 'cannot read the file (ENOENT)' : `cannot be read: ${read.reason}`);
  return parseConfigText(read.text, file, env);
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): PglensConfig {
  try {
    return parseConfigObject(text, file, env);
  } catch (error) {
    // Every problem below names its key; the line is looked up here once, for whichever check found it.
    if (!(error instanceof ConfigError) || error.line !== undefined || !error.key) throw error;
    throw new ConfigError(error.file, error.key, error.problem, lineOfKey(stripBom(text), error.key));
  }
}

function parseConfigObject(text: string, file: string, env: NodeJS.ProcessEnv): PglensConfig {
  const errors: ParseError[] = [];
  text = stripBom(text);
  const raw = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0];
    const line = text.slice(0, first.offset).split('\n').length;
    throw new ConfigError(file, '', `invalid JSON: ${printParseErrorCode(first.error)}`, line);
  }
  const config = defaultConfig(path.dirname(path.resolve(file)));
  config.file = path.resolve(file);
  if (raw === undefined || raw === null) return config;
  const v = new ConfigValidator(file);
  const root = v.object(raw, '');
  v.onlyKeys(root, '', [
    '$schema',
    'database',
    'include',
    'exclude',
    'find',
    'rules',
    'schema',
    'volumes',
    'values',
    'migrations',
    'migrationsInTransaction',
    'postgresVersion',
    'snapshot',
    'production',
    'advisor',
    'files',
    'databases',
  ]);
  if (root.database !== undefined) {
    const db = v.object(root.database, 'database');
    v.onlyKeys(db, 'database', ['url', 'statementTimeoutMs', 'lockTimeoutMs', 'maxConnections']);
    if (db.url !== undefined) config.database.url = substituteEnv(v.string(db.url, 'database.url'), env, file, 'database.url');
    // Whole milliseconds in a range that keeps the timeout a timeout: 0.4 would round to 0, which PostgreSQL reads as
    // "no timeout", and an hour-long statement_timeout is a hang with extra steps.
    if (db.statementTimeoutMs !== undefined) config.database.statementTimeoutMs = v.integerIn(db.statementTimeoutMs, 'database.statementTimeoutMs', 1, 600_000);
    if (db.lockTimeoutMs !== undefined) config.database.lockTimeoutMs = v.integerIn(db.lockTimeoutMs, 'database.lockTimeoutMs', 1, 60_000);
    if (db.maxConnections !== undefined) config.database.maxConnections = v.integerIn(db.maxConnections, 'database.maxConnections', 1, 100);
  }
  if (root.include !== undefined) config.include = v.globs(root.include, 'include');
  if (root.exclude !== undefined) config.exclude = [...DEFAULT_EXCLUDE, ...v.globs(root.exclude, 'exclude')];
  if (root.find !== undefined) {
    const find = v.object(root.find, 'find');
    v.onlyKeys(find, 'find', ['tags', 'functions', 'extraTags', 'extraFunctions', 'excludeTags']);
    if (find.tags !== undefined) config.find.tags = v.strings(find.tags, 'find.tags');
    if (find.functions !== undefined) config.find.functions = v.strings(find.functions, 'find.functions');
    if (find.extraTags !== undefined) config.find.extraTags = v.strings(find.extraTags, 'find.extraTags');
    if (find.extraFunctions !== undefined) config.find.extraFunctions = v.strings(find.extraFunctions, 'find.extraFunctions');
    if (find.excludeTags !== undefined) config.find.excludeTags = v.strings(find.excludeTags, 'find.excludeTags');
  }
  if (root.rules !== undefined) {
    const rules = v.object(root.rules, 'rules');
    const metas = new Map(allRuleMetas().map((meta) => [meta.id, meta]));
    for (const [id, setting] of Object.entries(rules)) {
      const meta = metas.get(id);
      // A misspelled rule would otherwise be a setting that silently does nothing.
      if (!meta) throw new ConfigError(file, `rules.${id}`, `unknown rule (the rules are listed in docs/rules/)${didYouMean(id, metas.keys())}`);
      config.rules[id] = v.ruleSetting(setting, `rules.${id}`, ruleOptionSchemas(meta));
    }
  }
  if (root.schema !== undefined) config.schema = v.globs(root.schema, 'schema');
  if (root.volumes !== undefined) {
    const volumes = v.object(root.volumes, 'volumes');
    config.volumes = {};
    for (const [table, n] of Object.entries(volumes)) config.volumes[table] = v.nonNegativeInteger(n, `volumes.${table}`);
  }
  if (root.values !== undefined) {
    const values = v.object(root.values, 'values');
    config.values = {};
    for (const [column, list] of Object.entries(values)) {
      if (!Array.isArray(list) || list.length === 0) throw new ConfigError(file, `values.${column}`, 'must be a non-empty array of values');
      config.values[column] = list;
    }
  }
  if (root.migrations !== undefined) {
    if (Array.isArray(root.migrations)) config.migrations = v.globs(root.migrations, 'migrations');
    else {
      const migrations = v.object(root.migrations, 'migrations');
      v.onlyKeys(migrations, 'migrations', ['paths', 'baseline', 'checkDown', 'noTransactionProperty']);
      if (migrations.paths !== undefined) config.migrations = v.globs(migrations.paths, 'migrations.paths');
      if (migrations.baseline !== undefined) {
        const baseline = v.string(migrations.baseline, 'migrations.baseline').trim();
        if (baseline === '' || /[\\/]/.test(baseline)) {
          throw new ConfigError(file, 'migrations.baseline', `must be the name (or leading part of the name) of the last historical migration, e.g. "20240101000000", got ${describe(migrations.baseline)}`);
        }
        config.migrationsBaseline = baseline;
      }
      if (migrations.checkDown !== undefined) config.migrationsCheckDown = v.boolean(migrations.checkDown, 'migrations.checkDown');
      if (migrations.noTransactionProperty !== undefined) {
        const property = v.string(migrations.noTransactionProperty, 'migrations.noTransactionProperty');
        if (!/^[A-Za-z_$][\w$]*$/.test(property)) throw new ConfigError(file, 'migrations.noTransactionProperty', `must be a property name such as "noTransaction", got ${describe(property)}`);
        config.migrationsNoTransactionProperty = property;
      }
    }
  }
  if (root.migrationsInTransaction !== undefined) config.migrationsInTransaction = v.boolean(root.migrationsInTransaction, 'migrationsInTransaction');
  if (root.postgresVersion !== undefined) {
    const version = root.postgresVersion;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 9 || version > 30) {
      throw new ConfigError(file, 'postgresVersion', `must be a major version such as 15 or 16, got ${describe(version)}`);
    }
    config.postgresVersion = version;
  }
  if (root.snapshot !== undefined) config.snapshot = path.resolve(config.root, v.string(root.snapshot, 'snapshot'));
  if (root.production !== undefined) {
    const production = v.object(root.production, 'production');
    v.onlyKeys(production, 'production', ['url', 'refreshSeconds']);
    config.production = { refreshSeconds: DEFAULT_PRODUCTION_REFRESH_SECONDS };
    if (production.url !== undefined) config.production.url = substituteEnv(v.string(production.url, 'production.url'), env, file, 'production.url');
    // At least 30 s: each refresh is a connection to production; at most a day.
    if (production.refreshSeconds !== undefined) config.production.refreshSeconds = v.integerIn(production.refreshSeconds, 'production.refreshSeconds', 30, 86_400);
  }
  if (root.advisor !== undefined) {
    const advisor = v.object(root.advisor, 'advisor');
    v.onlyKeys(advisor, 'advisor', ['indexTrials', 'maxTrialTableRows', 'minCostReduction', 'migrationsDir']);
    if (advisor.indexTrials !== undefined) config.advisor.indexTrials = v.boolean(advisor.indexTrials, 'advisor.indexTrials');
    if (advisor.maxTrialTableRows !== undefined) config.advisor.maxTrialTableRows = v.nonNegativeInteger(advisor.maxTrialTableRows, 'advisor.maxTrialTableRows');
    if (advisor.minCostReduction !== undefined) {
      const share = v.positiveNumber(advisor.minCostReduction, 'advisor.minCostReduction');
      if (share >= 1) throw new ConfigError(file, 'advisor.minCostReduction', `must be a share between 0 and 1 (0.5 = 50%), got ${share}`);
      config.advisor.minCostReduction = share;
    }
    if (advisor.migrationsDir !== undefined) config.advisor.migrationsDir = v.string(advisor.migrationsDir, 'advisor.migrationsDir');
  }
  if (root.files !== undefined) {
    const files = v.object(root.files, 'files');
    v.onlyKeys(files, 'files', ['maxBytes', 'tests']);
    // 1 KB to 256 MB: below that even a small migration is refused, above it one file could take the process down.
    if (files.maxBytes !== undefined) config.files.maxBytes = v.integerIn(files.maxBytes, 'files.maxBytes', 1024, MAX_CONFIGURABLE_BYTES);
    if (files.tests !== undefined) config.files.tests = v.globs(files.tests, 'files.tests');
  }
  if (root.databases !== undefined) {
    const databases = v.object(root.databases, 'databases');
    config.databases = {};
    for (const [name, entry] of Object.entries(databases)) {
      const key = `databases.${name}`;
      const database = normalizeDatabaseName(name);
      if (database === undefined) throw new ConfigError(file, key, 'a database name is letters, digits, _ and - (e.g. clickhouse, mysql, sqlite, postgresql)');
      const setting = v.object(entry, key);
      v.onlyKeys(setting, key, ['imports', 'paths']);
      const imports = setting.imports === undefined ? [] : v.strings(setting.imports, `${key}.imports`);
      imports.forEach((specifier, index) => {
        if (specifier.trim() === '') throw new ConfigError(file, `${key}.imports[${index}]`, 'must not be empty');
        if (!/[*?{[(]/.test(specifier)) return;
        try {
          picomatch(specifier, { strictBrackets: true });
        } catch (error) {
          throw new ConfigError(file, `${key}.imports[${index}]`, `"${specifier}" is not a valid glob: ${(error as Error).message}`);
        }
      });
      const paths = setting.paths === undefined ? [] : v.globs(setting.paths, `${key}.paths`);
      if (imports.length === 0 && paths.length === 0) throw new ConfigError(file, key, 'must name some imports or paths');
      const merged = config.databases[database];
      if (merged) {
        merged.imports.push(...imports);
        merged.paths.push(...paths);
      } else config.databases[database] = { imports: [...imports], paths: [...paths], key };
    }
  }
  return config;
}

const SEVERITIES: Severity[] = ['error', 'warning', 'info', 'hint', 'off'];
const SEVERITY_ALIASES: Record<string, Severity> = { warn: 'warning', information: 'info', none: 'off' };

export function parseSeverity(value: string): Severity | undefined {
  const lower = value.toLowerCase();
  if ((SEVERITIES as string[]).includes(lower)) return lower as Severity;
  return SEVERITY_ALIASES[lower];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

class ConfigValidator {
  constructor(private readonly file: string) {}

  private fail(key: string, problem: string): never {
    throw new ConfigError(this.file, key, problem);
  }

  object(value: Json, key: string): Record<string, Json> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(key, `must be an object, got ${describe(value)}`);
    return value;
  }

  onlyKeys(value: Record<string, Json>, key: string, allowed: string[]): void {
    for (const k of Object.keys(value)) {
      if (!allowed.includes(k)) this.fail(key ? `${key}.${k}` : k, `unknown setting (known: ${allowed.filter((a) => a !== '$schema').join(', ')})${didYouMean(k, allowed)}`);
    }
  }

  string(value: Json, key: string): string {
    if (typeof value !== 'string') this.fail(key, `must be a string, got ${describe(value)}`);
    return value;
  }

  strings(value: Json, key: string): string[] {
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) this.fail(key, `must be an array of strings, got ${describe(value)}`);
    return value;
  }

  /** Globs that compile: an unbalanced `[`, `{` or `(` is an error, not a pattern that silently matches nothing. */
  globs(value: Json, key: string): string[] {
    const globs = this.strings(value, key);
    globs.forEach((glob, index) => {
      try {
        picomatch(glob, { strictBrackets: true });
      } catch (error) {
        this.fail(`${key}[${index}]`, `"${glob}" is not a valid glob: ${(error as Error).message}`);
      }
    });
    return globs;
  }

  integerIn(value: Json, key: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(key, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  boolean(value: Json, key: string): boolean {
    if (typeof value !== 'boolean') this.fail(key, `must be true or false, got ${describe(value)}`);
    return value;
  }

  positiveNumber(value: Json, key: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) this.fail(key, `must be a positive number, got ${describe(value)}`);
    return value;
  }

  nonNegativeInteger(value: Json, key: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.fail(key, `must be a whole number of 0 or more, got ${describe(value)}`);
    return value;
  }

  /** A rule's severity, or `{ severity, options }` with each option checked against the rule's schema. */
  ruleSetting(value: Json, key: string, schemas: Record<string, RuleOptionSchema>): RuleSetting {
    if (typeof value === 'string') return { severity: this.severity(value, key) };
    const setting = this.object(value, key);
    this.onlyKeys(setting, key, ['severity', 'options']);
    const result: RuleSetting = {};
    if (setting.severity !== undefined) result.severity = this.severity(this.string(setting.severity, `${key}.severity`), `${key}.severity`);
    if (setting.options !== undefined) {
      const options = this.object(setting.options, `${key}.options`);
      const names = Object.keys(schemas);
      for (const [name, option] of Object.entries(options)) {
        const schema = schemas[name];
        if (!schema) {
          this.fail(`${key}.options.${name}`, names.length === 0 ? 'unknown option: the rule has no options' : `unknown option (known: ${names.join(', ')})${didYouMean(name, names)}`);
        }
        this.ruleOption(option, `${key}.options.${name}`, schema);
      }
      result.options = options;
    }
    return result;
  }

  /** One rule option against its schema: `"minRows": "lots"` is an error here, not NaN rows in every message. */
  ruleOption(value: Json, key: string, schema: RuleOptionSchema): RuleOptionValue {
    const range = (what: string) =>
      schema.minimum !== undefined && schema.maximum !== undefined
        ? `${what} from ${schema.minimum} to ${schema.maximum}`
        : schema.minimum !== undefined
          ? `${what} of ${schema.minimum} or more`
          : schema.maximum !== undefined
            ? `${what} of at most ${schema.maximum}`
            : what;
    const inRange = (n: number) => (schema.minimum === undefined || n >= schema.minimum) && (schema.maximum === undefined || n <= schema.maximum);
    switch (schema.type) {
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value) || !inRange(value)) this.fail(key, `must be ${range('a whole number')}, got ${describe(value)}`);
        return value;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value)) this.fail(key, `must be ${range('a number')}, got ${describe(value)}`);
        return value;
      case 'boolean':
        return this.boolean(value, key);
      case 'string': {
        const text = this.string(value, key);
        if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(text)) this.fail(key, `must be ${schema.patternDescription ?? `a string matching ${schema.pattern}`}, got ${describe(value)}`);
        return text;
      }
    }
  }

  severity(value: string, key: string): Severity {
    const severity = parseSeverity(value);
    if (!severity) this.fail(key, `must be one of ${SEVERITIES.join(', ')} (or warn), got "${value}"${didYouMean(value, SEVERITIES)}`);
    return severity;
  }
}

/** `; did you mean "imports"?` when a known name is close to the one written, else nothing. */
function didYouMean(name: string, known: Iterable<string>): string {
  const closest = closestName(name, [...known].filter((k) => k !== '$schema'));
  return closest ? `; did you mean "${closest}"?` : '';
}

/**
 * The 1-based line of a key such as `rules.large-sort.options.minRows`, `include[2]` or `values.orders.status` (property
 * names may hold dots: the longest property that matches is taken), or undefined when the text does not have it.
 */
export function lineOfKey(text: string, key: string): number | undefined {
  let node: JsonNode | undefined = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  let rest = key;
  let offset: number | undefined;
  while (node && rest !== '') {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index) {
      node = node.type === 'array' ? node.children?.[Number(index[1])] : undefined;
      offset = node?.offset;
      rest = rest.slice(index[0].length);
      continue;
    }
    if (node.type !== 'object') return undefined;
    let best: JsonNode | undefined;
    let bestName = '';
    for (const property of node.children ?? []) {
      const name = String(property.children?.[0]?.value ?? '');
      const fits = rest === name || rest.startsWith(`${name}.`) || rest.startsWith(`${name}[`);
      if (fits && (best === undefined || name.length > bestName.length)) {
        best = property;
        bestName = name;
      }
    }
    if (!best) return undefined;
    offset = best.offset;
    node = best.children?.[1];
    rest = rest.slice(bestName.length).replace(/^\./, '');
  }
  return offset === undefined || rest !== '' ? undefined : text.slice(0, offset).split('\n').length;
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** How often live mode reads production's pg_stat_statements when `production.refreshSeconds` is not given. */
export const DEFAULT_PRODUCTION_REFRESH_SECONDS = 300;

function substituteEnv(value: string, env: NodeJS.ProcessEnv, file: string, key: string): string | undefined {
  let missing: string | undefined;
  const result = value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const replacement = env[name];
    if (replacement === undefined) missing = name;
    return replacement ?? '';
  });
  if (missing !== undefined) {
    // An unset variable means "no database from the config": fall back to DATABASE_URL, PG* or the embedded one.
    if (result.trim() === '') return undefined;
    throw new ConfigError(file, key, `environment variable ${missing} is not set`);
  }
  return result;
}

/** Editor settings on top of the file: only what the editor says explicitly. */
export function mergeConfig(base: PglensConfig, overrides: { databaseUrl?: string; rules?: Record<string, RuleSetting> }): PglensConfig {
  return {
    ...base,
    database: { ...base.database, url: overrides.databaseUrl || base.database.url },
    rules: { ...base.rules, ...(overrides.rules ?? {}) },
  };
}

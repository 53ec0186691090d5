// pglens.schema.json: the JSON Schema of pglens.json, generated from the rule registry (each rule's severity and
// options) and the settings config.ts accepts, so editors complete and check the file ("$schema":
// "./node_modules/pglens/pglens.schema.json" or a path to a copy). Written by scripts/generateConfigSchema.ts;
// test/engine/configSchema.test.ts checks that the committed file is current. config.ts stays the authority: the
// schema says the same in JSON Schema's words, and a few checks (globs compile, env variables set) only config.ts makes.

import { MAX_CONFIGURABLE_BYTES } from './files';
import { allRuleMetas } from './rules/index';
import { ruleDocsUrl, ruleOptionSchemas, type RuleMeta } from './rules/rule';

type Schema = Record<string, unknown>;

const SEVERITY: Schema = {
  type: 'string',
  enum: ['error', 'warning', 'warn', 'info', 'information', 'hint', 'off', 'none'],
  description: 'error, warning, info, hint or off (warn, information and none are accepted too).',
};
const STRINGS: Schema = { type: 'array', items: { type: 'string' } };
const GLOBS = (description: string): Schema => ({ ...STRINGS, description });
const INTEGER = (minimum: number, maximum: number | undefined, description: string): Schema => ({
  type: 'integer',
  minimum,
  ...(maximum !== undefined ? { maximum } : {}),
  description,
});
const object = (properties: Record<string, Schema>, description: string): Schema => ({ type: 'object', description, properties, additionalProperties: false });

function ruleSchema(meta: RuleMeta): Schema {
  const options = ruleOptionSchemas(meta);
  const optionProperties: Record<string, Schema> = {};
  for (const [name, option] of Object.entries(options)) {
    optionProperties[name] = {
      type: option.type,
      default: option.default,
      description: option.description,
      ...(option.minimum !== undefined ? { minimum: option.minimum } : {}),
      ...(option.maximum !== undefined ? { maximum: option.maximum } : {}),
      ...(option.pattern !== undefined ? { pattern: option.pattern } : {}),
    };
  }
  const description = `${meta.description} Default: ${meta.defaultSeverity}. ${ruleDocsUrl(meta.id)}`;
  return {
    description,
    oneOf: [
      { $ref: '#/definitions/severity' },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          severity: { $ref: '#/definitions/severity' },
          options: { type: 'object', additionalProperties: false, properties: optionProperties, description: Object.keys(optionProperties).length ? `Options of ${meta.id}.` : `${meta.id} has no options.` },
        },
      },
    ],
  };
}

/** The JSON Schema of pglens.json. */
export function configSchema(): Schema {
  const rules: Record<string, Schema> = {};
  for (const meta of allRuleMetas()) rules[meta.id] = ruleSchema(meta);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/pglens/pglens/blob/main/pglens.schema.json',
    title: 'pglens.json',
    description: 'pglens configuration (docs/configuration.md). Comments and trailing commas are allowed.',
    type: 'object',
    additionalProperties: false,
    definitions: { severity: SEVERITY },
    properties: {
      $schema: { type: 'string', description: 'Path or URL of this schema, for editors.' },
      database: object(
        {
          url: { type: 'string', description: 'Connection URL; ${env:VAR} is read from the environment (an unset variable: not configured).' },
          statementTimeoutMs: INTEGER(1, 600_000, 'Per EXPLAIN, in milliseconds.'),
          lockTimeoutMs: INTEGER(1, 60_000, 'Per EXPLAIN, in milliseconds: planning never waits behind a lock.'),
          maxConnections: INTEGER(1, 100, 'EXPLAINs in flight at once.'),
        },
        'The database to plan against; without one, the embedded database is built from the schema files.',
      ),
      include: GLOBS('Files to check (globs relative to this file).'),
      exclude: GLOBS('Files to leave out, added to the built-in excludes (node_modules, dist, build, out, *.d.ts, ...).'),
      find: object(
        {
          tags: GLOBS('Tagged templates that hold SQL, replacing the defaults.'),
          functions: GLOBS('Calls whose first argument is SQL, replacing the defaults.'),
          extraTags: GLOBS('Tagged templates that hold SQL, added to the defaults.'),
          extraFunctions: GLOBS('Calls whose first argument is SQL, added to the defaults.'),
          excludeTags: GLOBS('Tags whose SQL is for another database.'),
        },
        'Where SQL is found in TS/JS.',
      ),
      rules: { type: 'object', description: 'Severity and options per rule (docs/rules/).', properties: rules, additionalProperties: false },
      schema: GLOBS('Schema files for the embedded database (globs relative to this file).'),
      volumes: { type: 'object', description: 'Rows per table in the embedded database.', additionalProperties: { type: 'integer', minimum: 0 } },
      values: { type: 'object', description: 'Values of a column ("table.column") for the embedded database.', additionalProperties: { type: 'array', minItems: 1 } },
      migrations: {
        description: 'Migration files the lock rules treat as migrations: an array of globs, or an object.',
        oneOf: [
          GLOBS('Globs of migration files.'),
          object(
            {
              paths: GLOBS('Globs of migration files.'),
              baseline: { type: 'string', minLength: 1, pattern: '^[^\\\\/]*\\S[^\\\\/]*$', description: 'Migrations named at or before this are history: not judged, never planned.' },
              checkDown: { type: 'boolean', description: 'Judge down/rollback code too.' },
              noTransactionProperty: { type: 'string', pattern: '^[A-Za-z_$][\\w$]*$', description: 'The property of a TS/JS migration object that says it runs without a transaction.' },
            },
            'Migration settings.',
          ),
        ],
      },
      migrationsInTransaction: { type: 'boolean', description: 'Whether migrations run inside one transaction (most frameworks do).' },
      postgresVersion: INTEGER(9, 30, 'Target PostgreSQL major version when there is no database to ask.'),
      snapshot: { type: 'string', description: 'A production statistics snapshot written by `pglens snapshot` (docs/production-snapshot.md).' },
      production: object(
        {
          url: { type: 'string', description: 'Read-only connection URL of production (or staging) for live runtime numbers in the editor; ${env:NAME} allowed; keep the password out of it (VS Code: "pglens: Set Production Database Password").' },
          refreshSeconds: INTEGER(30, 86400, 'How often the language server reads pg_stat_statements (default 300).'),
        },
        'Live mode: the editor refreshes production\'s runtime numbers from pg_stat_statements (docs/production-snapshot.md). Off when absent.',
      ),
      advisor: object(
        {
          indexTrials: { type: 'boolean', description: 'Build a real index in a rolled-back transaction when hypopg is not installed.' },
          maxTrialTableRows: INTEGER(0, undefined, 'Index trials only on tables with at most this many rows.'),
          minCostReduction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'A suggestion must cut the estimated cost by at least this share (0.5 = 50%).' },
          migrationsDir: { type: 'string', description: 'Folder for migration files written by the "Add index" quick fix.' },
        },
        'The index advisor.',
      ),
      files: object(
        {
          maxBytes: INTEGER(1024, MAX_CONFIGURABLE_BYTES, 'Files larger than this are skipped with a message.'),
          tests: {
            type: 'array',
            items: { type: 'string' },
            description: 'Globs of test code: schema changes and destructive statements there are test set-up, not judged ([] judges them).',
          },
        },
        'File limits and kinds.',
      ),
      databases: {
        type: 'object',
        description: 'Which database the SQL of modules and folders is for (clickhouse, mysql, postgresql, ...); SQL not PostgreSQL’s is not checked.',
        propertyNames: { pattern: '^[A-Za-z0-9_-]+$' },
        additionalProperties: object({ imports: GLOBS('Modules whose exports talk to this database.'), paths: GLOBS('Files whose SQL is this database’s.') }, 'One database.'),
      },
    },
  };
}

/** The file's text: the schema as 2-space JSON with a final newline. */
export function configSchemaText(): string {
  return `${JSON.stringify(configSchema(), null, 2)}\n`;
}

// Names of databases as pglens.json writes them and as messages show them. Kept apart from databaseOf.ts so the
// config reader does not load the TypeScript compiler.

export const POSTGRESQL = 'postgresql';

/** Display names of the databases pglens knows by name; any other name in pglens.json is shown as written. */
const LABELS: Record<string, string> = {
  postgresql: 'PostgreSQL',
  clickhouse: 'ClickHouse',
  mysql: 'MySQL',
  sqlite: 'SQLite',
  mssql: 'SQL Server (T-SQL)',
  bigquery: 'BigQuery',
  snowflake: 'Snowflake',
  duckdb: 'DuckDB',
  databricks: 'Databricks',
  oracle: 'Oracle',
  redshift: 'Redshift',
  greenplum: 'Greenplum',
  cockroachdb: 'CockroachDB',
  h2: 'H2',
  hsqldb: 'HSQLDB',
  derby: 'Apache Derby',
};

/** Other spellings people write for the same database. */
const ALIASES: Record<string, string> = {
  postgres: POSTGRESQL,
  pg: POSTGRESQL,
  mariadb: 'mysql',
  sqlserver: 'mssql',
  'sql-server': 'mssql',
  tsql: 'mssql',
  't-sql': 'mssql',
  cockroach: 'cockroachdb',
};

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** The canonical name of a database as written in pglens.json (`Postgres` -> `postgresql`), or undefined if malformed. */
export function normalizeDatabaseName(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  if (!NAME.test(lower)) return undefined;
  return ALIASES[lower] ?? lower;
}

export function databaseLabel(database: string): string {
  return LABELS[database] ?? database;
}

export function isPostgres(database: string | undefined): boolean {
  return database === undefined || database === POSTGRESQL;
}

/** Database words a migration tool puts in a file's extensions (`20210410_x.sqlite3.up.sql`, `x.mysql.down.sql`). */
const EXTENSION_WORDS: Record<string, string> = {
  postgres: POSTGRESQL,
  postgresql: POSTGRESQL,
  pg: POSTGRESQL,
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  // Beside a `.postgres.` variant, the `.cockroach.` one is what CockroachDB runs, not PostgreSQL.
  cockroach: 'cockroachdb',
  cockroachdb: 'cockroachdb',
  mssql: 'mssql',
  sqlserver: 'mssql',
  clickhouse: 'clickhouse',
  h2: 'h2',
};

/**
 * The database a file's extensions name, when a tool keeps one script per database (ory's
 * `20210410175418_network.sqlite3.up.sql` beside `.mysql.`, `.cockroach.` and `.postgres.`): the words between the
 * base name and the last extension. Undefined when none names a database.
 */
export function databaseOfFileExtensions(fileName: string): string | undefined {
  const parts = fileName.split(/[\\/]/).pop()!.toLowerCase().split('.');
  for (const word of parts.slice(1, -1)) if (EXTENSION_WORDS[word]) return EXTENSION_WORDS[word];
  return undefined;
}

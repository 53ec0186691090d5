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

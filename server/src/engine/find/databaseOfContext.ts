// Which database a piece of SQL is for, by what surrounds it rather than by its tag or client: code that serves
// several databases through one client keeps each dialect's SQL in a branch on the database's name (Wiki.js: `switch
// (WIKI.config.db.type) { case 'mysql': ... case 'postgres': ... }`; n8n: `if (dbType === 'sqlite')`; Ghost:
// `if (DatabaseInfo.isSQLite(knex))`) or in a file or folder named after it (`db/migrations-sqlite/`,
// `helpers/schema/dialects/mysql.ts`). knex, Kysely and TypeORM instances configured at run time say nothing of their
// database, so without this the SQL of every branch was read as PostgreSQL's (false findings on MySQL and SQLite SQL).
// Like databaseOf.ts this only ever takes SQL away from the checks: a branch or a name that says PostgreSQL, several
// databases, or nothing leaves the decision to the tag or client.

import ts = require('typescript');
import { databaseOfFileExtensions, POSTGRESQL } from './databaseNames';

const SK = ts.SyntaxKind;

/** What a decision says and why ("in `case 'mysql':`"), as databaseOf.ts's DatabaseDecision. */
export interface ContextDecision {
  database: string;
  because: string;
}

/** Database names as code compares them with a configured type or client (`'mysql2'`, knex's and TypeORM's names). */
const NAMES: Record<string, string> = {
  postgres: POSTGRESQL,
  postgresql: POSTGRESQL,
  postgresdb: POSTGRESQL, // n8n's DB_TYPE
  pg: POSTGRESQL,
  pgnative: POSTGRESQL,
  'pg-native': POSTGRESQL,
  cockroachdb: 'cockroachdb',
  mysql: 'mysql',
  mysql2: 'mysql',
  mysqldb: 'mysql',
  mariadb: 'mysql',
  mariadbdb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  'better-sqlite3': 'sqlite',
  sqlitedb: 'sqlite',
  libsql: 'sqlite',
  mssql: 'mssql',
  sqlserver: 'mssql',
  tedious: 'mssql',
  oracle: 'oracle',
  oracledb: 'oracle',
  clickhouse: 'clickhouse',
  bigquery: 'bigquery',
  snowflake: 'snowflake',
  duckdb: 'duckdb',
};

/** `isMySQL`, `isSqlite`, `is_postgres`: a flag or predicate named after one database. */
const IS_DATABASE = /^is_?(postgres|postgresql|pg|mysql|mariadb|sqlite3?|mssql|sqlserver|oracle|clickhouse)$/i;

function databaseOfName(text: string): string | undefined {
  const lower = text.toLowerCase();
  return Object.prototype.hasOwnProperty.call(NAMES, lower) ? NAMES[lower] : undefined;
}

function stringValue(expression: ts.Expression): string | undefined {
  expression = skipParentheses(expression);
  return ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression) ? expression.text : undefined;
}

function skipParentheses(expression: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression) || ts.isNonNullExpression(expression)) expression = expression.expression;
  return expression;
}

/** A test naming one database: `{ database, holds }` where `holds` says whether the branch taken when true is it. */
interface Test {
  database: string;
  /** True: the condition is true only for that database; false: only for the others. */
  positive: boolean;
  text: string;
}

/** What a condition says about the database, when it names exactly one. */
function testOf(condition: ts.Expression, sourceFile: ts.SourceFile, depth = 0): Test | undefined {
  if (depth > 6) return undefined;
  condition = skipParentheses(condition);
  const text = () => condition.getText(sourceFile).replace(/\s+/g, ' ').slice(0, 60);
  if (ts.isPrefixUnaryExpression(condition) && condition.operator === SK.ExclamationToken) {
    const inner = testOf(condition.operand, sourceFile, depth + 1);
    return inner && { ...inner, positive: !inner.positive, text: text() };
  }
  if (ts.isBinaryExpression(condition)) {
    const operator = condition.operatorToken.kind;
    if (operator === SK.EqualsEqualsEqualsToken || operator === SK.EqualsEqualsToken || operator === SK.ExclamationEqualsEqualsToken || operator === SK.ExclamationEqualsToken) {
      const literal = stringValue(condition.right) ?? stringValue(condition.left);
      const database = literal === undefined ? undefined : databaseOfName(literal);
      if (!database) return undefined;
      const positive = operator === SK.EqualsEqualsEqualsToken || operator === SK.EqualsEqualsToken;
      return { database, positive, text: text() };
    }
    // `type === 'mysql' || type === 'mariadb'`: true only for MySQL when both sides are; `isMySQL && x`: true only
    // for MySQL when one side is.
    if (operator === SK.BarBarToken || operator === SK.AmpersandAmpersandToken) {
      const left = testOf(condition.left, sourceFile, depth + 1);
      const right = testOf(condition.right, sourceFile, depth + 1);
      if (operator === SK.BarBarToken) {
        if (left && right && left.positive && right.positive && left.database === right.database) return { ...left, text: text() };
        return undefined;
      }
      const positive = [left, right].filter((test): test is Test => test !== undefined && test.positive);
      return positive.length > 0 && positive.every((test) => test.database === positive[0].database) ? { ...positive[0], text: text() } : undefined;
    }
    return undefined;
  }
  // isSQLite(knex), DatabaseInfo.isMySQL(knex), this.isPostgres, isMysql
  const callee = ts.isCallExpression(condition) ? skipParentheses(condition.expression) : condition;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  const match = name === undefined ? null : IS_DATABASE.exec(name);
  const database = match ? databaseOfName(match[1]) : undefined;
  return database ? { database, positive: true, text: text() } : undefined;
}

/**
 * The database of the branch a site is written in: the innermost `case` of a switch over database names, `if`/`else`
 * or `? :` whose condition names one database (the `else` of `=== 'postgres'` says nothing: it may be any other).
 * `chain` is the site's ancestors from the source file down.
 */
export function databaseOfBranch(chain: readonly ts.Node[], sourceFile: ts.SourceFile): ContextDecision | undefined {
  for (let i = chain.length - 2; i >= 1; i--) {
    const node = chain[i];
    const child = chain[i + 1];
    const block = chain[i - 1];
    if (ts.isCaseClause(node) && child !== node.expression && block && ts.isCaseBlock(block)) {
      const labels = caseLabels(node, block);
      if (!labels) continue; // `default:` falls through into it: any database
      const databases = labels.map((label) => {
        const value = stringValue(label);
        return value === undefined ? undefined : databaseOfName(value);
      });
      if (databases.some((database) => database === undefined)) continue; // a switch over something else
      const distinct = new Set(databases);
      if (distinct.size !== 1) return undefined;
      const [database] = distinct;
      const written = labels.map((label) => `case ${label.getText(sourceFile)}:`).join(' ');
      return { database: database!, because: `in \`${written}\`` };
    }
    let test: Test | undefined;
    let holds: boolean | undefined;
    if (ts.isIfStatement(node) && (child === node.thenStatement || child === node.elseStatement)) {
      test = testOf(node.expression, sourceFile);
      holds = child === node.thenStatement;
    } else if (ts.isConditionalExpression(node) && (child === node.whenTrue || child === node.whenFalse)) {
      test = testOf(node.condition, sourceFile);
      holds = child === node.whenTrue;
    }
    if (!test) continue;
    // The branch where the test holds positively is that database's; the other says only "not that one".
    if (test.positive === holds) return { database: test.database, because: `in the branch where \`${test.text}\`${holds ? '' : ' is false'}` };
    if (test.database !== POSTGRESQL) continue;
    return undefined;
  }
  return undefined;
}

/**
 * The labels that lead into a case clause: its own and those of the empty clauses falling through into it; undefined
 * when `default:` falls through into it.
 */
function caseLabels(clause: ts.CaseClause, block: ts.CaseBlock): ts.Expression[] | undefined {
  const labels = [clause.expression];
  const clauses = block.clauses;
  for (let index = clauses.indexOf(clause) - 1; index >= 0; index--) {
    const previous = clauses[index];
    if (previous.statements.length > 0) break;
    if (!ts.isCaseClause(previous)) return undefined;
    labels.unshift(previous.expression);
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------------------
// Names of files and folders

/** Spellings that camel case would split (`MySQL` → `My SQL`), written as one word first. */
const WHOLE_WORDS = /mysql2?|mariadb|sqlite3?|mssql|clickhouse|bigquery|duckdb|libsql|postgresql|postgres|pgsql|cockroachdb|hsqldb/gi;

/**
 * Path words that name a database. Only unmistakable ones: `oracle` (a price oracle) and `snowflake` (an id
 * generator) name other things in application code, so they are not read from paths.
 */
const PATH_WORDS: Record<string, string> = {
  postgres: POSTGRESQL,
  postgresql: POSTGRESQL,
  pg: POSTGRESQL,
  pgsql: POSTGRESQL,
  postgis: POSTGRESQL,
  cockroachdb: 'cockroachdb',
  mysql: 'mysql',
  mysql2: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  libsql: 'sqlite',
  mssql: 'mssql',
  clickhouse: 'clickhouse',
  bigquery: 'bigquery',
  duckdb: 'duckdb',
  // Java's embedded databases, which Spring projects keep schema scripts for beside PostgreSQL's (db/h2/schema.sql).
  h2: 'h2',
  hsqldb: 'hsqldb',
  derby: 'derby',
};

/**
 * The database words of one path segment (`migrations-sqlite` → sqlite; `MysqlDialect.ts` → mysql). In a file's own
 * name only the first word counts: `sqliteAdapter.ts` is SQLite's, `processClickhouseTraceDelete.ts` (a job that
 * deletes PostgreSQL rows after ClickHouse's) names what it is about, not what it talks to.
 */
function databasesOfSegment(segment: string, firstWordOnly: boolean): Set<string> {
  const words = segment
    .replace(WHOLE_WORDS, (word) => word[0].toUpperCase() + word.slice(1).toLowerCase())
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0);
  const found = new Set<string>();
  for (const word of firstWordOnly ? words.slice(0, 1) : words) {
    const database = PATH_WORDS[word.toLowerCase()];
    if (database) found.add(database);
  }
  return found;
}

/**
 * The database a project-relative path names: the segment nearest the file that names any database decides, when it
 * names exactly one and it is not PostgreSQL (`server/db/migrations-sqlite/2.0.js`, `dialects/mysql.ts`). A name
 * that says PostgreSQL or two databases (`mysql-to-postgres/`) decides nothing.
 */
export function databaseOfPathName(relativePath: string): ContextDecision | undefined {
  const segments = relativePath.split('/').filter((segment) => segment.length > 0);
  const byExtension = segments.length > 0 ? databaseOfFileExtensions(segments[segments.length - 1]) : undefined;
  if (byExtension) return byExtension === POSTGRESQL ? undefined : { database: byExtension, because: `file ${relativePath} is named for it` };
  for (let index = segments.length - 1; index >= 0; index--) {
    const isFile = index === segments.length - 1;
    const segment = isFile ? segments[index].replace(/(\.[A-Za-z0-9]+)+$/, '') : segments[index];
    const databases = databasesOfSegment(segment, isFile);
    if (databases.size === 0) continue;
    if (databases.size > 1 || databases.has(POSTGRESQL)) return undefined;
    const [database] = databases;
    const what = index === segments.length - 1 ? 'file' : 'folder';
    return { database, because: `${what} ${segments.slice(0, index + 1).join('/')}${what === 'folder' ? '/' : ''} is named for it` };
  }
  return undefined;
}

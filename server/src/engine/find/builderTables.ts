// Tables a migration creates through a query builder's schema API rather than in SQL: Kysely's
// `db.schema.createTable('report')...execute()`, knex's `knex.schema.createTable('users', (t) => ...)`, TypeORM's
// `queryRunner.createTable(new Table({ name: 'user', ... }))`. The SQL written beside them in the same file
// (`sql`create index ... on report (...)`.execute(db)`, `knex.raw('ALTER TABLE users ...')`) acts on a table that is
// new and empty, which the lock rules do not warn about when a CREATE TABLE statement made it (atproto's Kysely
// migrations: 23 of 36 lock warnings were on tables the same migration had just created with the builder).
// Read from the text alone: the builder's own calls are no SQL sites, and the names are string literals.

import type { SqlSite } from '../types';

/** `.schema[.withSchema('s')].createTable[IfNotExists]('name'` (Kysely, knex). */
const SCHEMA_BUILDER = /\.\s*schema\s*(?:\.\s*withSchema\s*\(\s*(['"`])([\w$]+)\1\s*\)\s*)?\.\s*createTable(?:IfNotExists)?\s*\(\s*(['"`])([\w$]+(?:\.[\w$]+)?)\3/g;
/** `createTable(new Table({ name: 'name'` (TypeORM's QueryRunner). */
const TYPEORM_TABLE = /\bcreateTable\s*\(\s*new\s+Table\s*\(\s*\{\s*name\s*:\s*(['"`])([\w$]+(?:\.[\w$]+)?)\1/g;

/** Each site gets the tables the file's builder calls before it created (`schema.name` or `name`), when there are any. */
export function noteTablesCreatedByBuilders(text: string, sites: SqlSite[]): void {
  if (sites.length === 0 || !text.includes('createTable')) return;
  const created: { offset: number; table: string }[] = [];
  for (const match of text.matchAll(SCHEMA_BUILDER)) created.push({ offset: match.index, table: match[2] ? `${match[2]}.${match[4]}` : match[4] });
  for (const match of text.matchAll(TYPEORM_TABLE)) created.push({ offset: match.index, table: match[2] });
  if (created.length === 0) return;
  for (const site of sites) {
    const before = created.filter((entry) => entry.offset < site.fileStart).map((entry) => entry.table);
    if (before.length > 0) site.tablesCreatedBefore = [...new Set(before)];
  }
}

// Facts about the schema that rules and the advisor need (table sizes, indexes, columns), read from the
// catalogs in one round trip per kind, and a fingerprint of them that keys the plan cache: when a table,
// an index or the statistics change, every cached plan is stale.

import { createHash } from 'node:crypto';
import { withReadOnlyTransaction, type DatabaseClient, type DatabaseSession, type TransactionLimits } from './client';
import { loadCatalogVolatility, type CatalogVolatility } from '../locks/volatility';

export interface TableFacts {
  schema: string;
  name: string;
  /** pg_class.reltuples after ANALYZE; -1 (never analysed) is reported as 0. */
  estimatedRows: number;
  totalBytes: number;
  columns: ColumnFacts[];
}

export interface ColumnFacts {
  name: string;
  type: string;
  notNull: boolean;
  collation?: string;
}

export interface IndexFacts {
  schema: string;
  table: string;
  name: string;
  /** btree, hash, gin, gist, brin, spgist */
  method: string;
  /** Key columns in order; an expression key is its text, e.g. "lower(email)". */
  keys: string[];
  /** Non-key INCLUDE columns. */
  include: string[];
  /** Partial index predicate, as pg_get_expr prints it. */
  predicate?: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  definition: string;
}

export interface SchemaFacts {
  tables: Map<string, TableFacts>; // keyed by "schema.name" and by bare name when unambiguous
  indexes: IndexFacts[];
  /** Foreign keys (index advisor, fk-without-index); absent when the facts came from elsewhere. */
  foreignKeys?: ForeignKeyFacts[];
  /** Volatility of the database's functions and casts (pg_proc, pg_cast) beyond PostgreSQL 15's pg_catalog. */
  volatility?: CatalogVolatility;
  /** Changes whenever a table, column, index or the statistics change. */
  fingerprint: string;
}

/** A foreign key: `table (columns) REFERENCES referencedTable (referencedColumns)`. */
export interface ForeignKeyFacts {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
}

export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/** Looks a table up by the name a plan or a statement uses (qualified or not). */
export function findTable(facts: SchemaFacts, name: string, schema?: string): TableFacts | undefined {
  if (schema) return facts.tables.get(tableKey(schema, name));
  return facts.tables.get(name) ?? facts.tables.get(tableKey('public', name));
}

export function indexesOf(facts: SchemaFacts, table: TableFacts): IndexFacts[] {
  return facts.indexes.filter((i) => i.table === table.name && i.schema === table.schema);
}

const TABLES_SQL = `
select n.nspname as schema, c.relname as name, c.reltuples::float8 as rows,
       -- Size from the catalogue's page counts (table, TOAST, indexes), not pg_total_relation_size(), which opens
       -- every relation and so waits behind any ACCESS EXCLUSIVE lock, even on a table the code never names.
       ((c.relpages::float8
         + coalesce((select t.relpages from pg_class t where t.oid = c.reltoastrelid), 0)
         + coalesce((select sum(i.relpages) from pg_index x join pg_class i on i.oid = x.indexrelid where x.indrelid = c.oid), 0))
        * current_setting('block_size')::float8) as bytes,
       c.relpages::int as pages,
       coalesce(s.n_mod_since_analyze, 0)::float8 as mods,
       coalesce(extract(epoch from greatest(s.last_analyze, s.last_autoanalyze)), 0)::float8 as analyzed
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_stat_all_tables s on s.relid = c.oid
where c.relkind in ('r', 'p', 'm')
  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
  and n.nspname not like 'pg_temp%'
order by 1, 2`;

const COLUMNS_SQL = `
select n.nspname as schema, c.relname as table, a.attname as name,
       format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
       case when a.attcollation <> 0 then (select collname from pg_collation where oid = a.attcollation) end as collation
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'm') and a.attnum > 0 and not a.attisdropped
  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
order by 1, 2, a.attnum`;

/**
 * A plain column key by its name, as columns are known everywhere else: pg_get_indexdef writes `"Created At"` or
 * `"order"` quoted (quote_ident), and no comparison with a column name would match it. (Done here, not in SQL: a
 * correlated lookup of pg_attribute per key made the catalogue query cost enough to be JIT-compiled, 1.2 s.)
 * An expression never is one quoted identifier as a whole.
 */
function unquotedColumn(key: string): string {
  return /^"(?:[^"]|"")+"$/.test(key) ? key.slice(1, -1).replace(/""/g, '"') : key;
}

// Deparsing an index (pg_get_indexdef, pg_get_expr) opens its table, so it waits behind an ACCESS EXCLUSIVE lock held
// or queued by another session. Indexes of such tables are read from the catalogue alone: plain key columns by name,
// expression keys as "(expression)", no predicate or definition. CASE evaluates only the branch it takes.
const INDEXES_SQL = `
with locked as (
  select l.relation from pg_locks l
  where l.locktype = 'relation' and l.mode = 'AccessExclusiveLock' and l.pid <> pg_backend_pid()
    and l.database = (select oid from pg_database where datname = current_database())
)
select n.nspname as schema, t.relname as table, i.relname as name, am.amname as method,
       x.indisunique as unique, x.indisprimary as primary, x.indisvalid as valid,
       x.indnkeyatts as key_count,
       case when k.locked
         then array(select coalesce((select a.attname::text from pg_attribute a
                                     where a.attrelid = x.indrelid and a.attnum = x.indkey[g - 1] and x.indkey[g - 1] <> 0),
                                    '(expression)')
                    from generate_series(1, x.indnatts) g)
         else array(select pg_get_indexdef(x.indexrelid, g, true) from generate_series(1, x.indnatts) g)
       end as columns,
       case when k.locked then null else pg_get_expr(x.indpred, x.indrelid, true) end as predicate,
       case when k.locked then null else pg_get_indexdef(x.indexrelid) end as definition
from pg_index x
join pg_class i on i.oid = x.indexrelid
join pg_class t on t.oid = x.indrelid
join pg_namespace n on n.oid = t.relnamespace
join pg_am am on am.oid = i.relam
cross join lateral (select exists (select 1 from locked where relation in (x.indrelid, x.indexrelid)) as locked) k
where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
order by 1, 2, 3`;

const FOREIGN_KEYS_SQL = `
select c.conname as name, n.nspname as schema, t.relname as table,
       array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, i)
             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i) as columns,
       rn.nspname as referenced_schema, r.relname as referenced_table,
       array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, i)
             join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.i) as referenced_columns
from pg_constraint c
join pg_class t on t.oid = c.conrelid
join pg_namespace n on n.oid = t.relnamespace
join pg_class r on r.oid = c.confrelid
join pg_namespace rn on rn.oid = r.relnamespace
where c.contype = 'f' and n.nspname not in ('pg_catalog', 'information_schema')
order by 2, 3, 1`;

interface ForeignKeyRow {
  name: string;
  schema: string;
  table: string;
  columns: string[] | string;
  referenced_schema: string;
  referenced_table: string;
  referenced_columns: string[] | string;
}

interface TableRow {
  schema: string;
  name: string;
  rows: number;
  bytes: number;
  pages: number;
  mods: number;
  analyzed: number;
}
interface ColumnRow {
  schema: string;
  table: string;
  name: string;
  type: string;
  not_null: boolean;
  collation: string | null;
}
interface IndexRow {
  schema: string;
  table: string;
  name: string;
  method: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  key_count: number;
  columns: string[] | string;
  predicate: string | null;
  definition: string | null;
}

/** The schema read gets this long at least: a large catalogue can take longer than planning one statement. */
export const SCHEMA_READ_TIMEOUT_MS = 10_000;

/**
 * The schema facts of a database, read the one way pglens reads them: in a read-only transaction with a statement
 * timeout of at least SCHEMA_READ_TIMEOUT_MS and the given lock timeout. Indexes of tables locked by others are read
 * without deparsing (see INDEXES_SQL); a lock taken between that check and the deparse gives a lock timeout, and the
 * read is tried once more after a moment.
 */
export async function readSchemaFacts(db: DatabaseClient, limits: Partial<TransactionLimits> = {}): Promise<SchemaFacts> {
  const readLimits: TransactionLimits = {
    statementTimeoutMs: Math.max(limits.statementTimeoutMs ?? 0, SCHEMA_READ_TIMEOUT_MS),
    lockTimeoutMs: limits.lockTimeoutMs ?? 100,
  };
  const read = () => withReadOnlyTransaction(db, readLimits, (session) => loadSchemaFacts(session));
  try {
    return await read();
  } catch (error) {
    if ((error as { code?: string })?.code !== '55P03') throw error;
    await new Promise((resolve) => setTimeout(resolve, 200));
    return read();
  }
}

export async function loadSchemaFacts(session: DatabaseSession): Promise<SchemaFacts> {
  const [tables, columns, indexes] = [
    (await session.query<TableRow>(TABLES_SQL)).rows,
    (await session.query<ColumnRow>(COLUMNS_SQL)).rows,
    (await session.query<IndexRow>(INDEXES_SQL)).rows,
  ];
  const hash = createHash('sha1');
  const byKey = new Map<string, TableFacts>();
  const nameCount = new Map<string, number>();
  for (const row of tables) {
    const facts: TableFacts = {
      schema: row.schema,
      name: row.name,
      estimatedRows: Math.max(0, Number(row.rows)),
      totalBytes: Number(row.bytes),
      columns: [],
    };
    byKey.set(tableKey(row.schema, row.name), facts);
    nameCount.set(row.name, (nameCount.get(row.name) ?? 0) + 1);
    // Row estimates and pages drive plans; the analyse time catches a re-ANALYZE that changed the histograms.
    hash.update(`t|${row.schema}|${row.name}|${row.rows}|${row.pages}|${row.analyzed}\n`);
  }
  for (const row of columns) {
    const table = byKey.get(tableKey(row.schema, row.table));
    if (!table) continue;
    table.columns.push({ name: row.name, type: row.type, notNull: row.not_null, collation: row.collation ?? undefined });
    hash.update(`c|${row.schema}|${row.table}|${row.name}|${row.type}|${row.not_null}\n`);
  }
  const indexFacts: IndexFacts[] = indexes.map((row) => {
    const all = parsePgArray(row.columns);
    hash.update(`i|${row.definition}|${row.valid}\n`);
    return {
      schema: row.schema,
      table: row.table,
      name: row.name,
      method: row.method,
      keys: all.slice(0, row.key_count).map(unquotedColumn),
      include: all.slice(row.key_count).map(unquotedColumn),
      predicate: row.predicate ?? undefined,
      unique: row.unique,
      primary: row.primary,
      valid: row.valid,
      definition: row.definition ?? '',
    };
  });
  const tablesByName = new Map(byKey);
  for (const facts of byKey.values()) {
    if (nameCount.get(facts.name) === 1 || facts.schema === 'public') {
      if (!tablesByName.has(facts.name) || facts.schema === 'public') tablesByName.set(facts.name, facts);
    }
  }
  const foreignKeys: ForeignKeyFacts[] = (await session.query<ForeignKeyRow>(FOREIGN_KEYS_SQL)).rows.map((row) => {
    hash.update(`f|${row.schema}|${row.table}|${row.name}\n`);
    return {
      name: row.name,
      schema: row.schema,
      table: row.table,
      columns: parsePgArray(row.columns),
      referencedSchema: row.referenced_schema,
      referencedTable: row.referenced_table,
      referencedColumns: parsePgArray(row.referenced_columns),
    };
  });
  const volatility = await loadCatalogVolatility(session);
  return { tables: tablesByName, indexes: indexFacts, foreignKeys, volatility, fingerprint: hash.digest('hex') };
}

/** `pg` returns text[] as an array; PGlite and some drivers as '{a,b}' text. */
function parsePgArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value;
  const inner = value.replace(/^\{|\}$/g, '');
  if (inner === '') return [];
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quoted) {
      if (c === '\\') current += inner[++i];
      else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  return items;
}

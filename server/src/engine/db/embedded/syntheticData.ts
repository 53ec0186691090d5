// Fills the embedded database's tables with synthetic rows so the planner sees realistic sizes and value
// distributions: an empty table makes every plan a trivial one. Each table is filled by one set-based
// INSERT ... SELECT ... FROM generate_series (row-by-row inserts in PGlite are orders of magnitude slower),
// in foreign-key order, with values derived from the catalog: column types, foreign keys (sampled from the
// rows of the referenced table), CHECK constraints and enums (only allowed values), unique constraints
// (derived from the row number), NOT NULL, and optional value hints from pglens.json. Nothing here is fatal:
// a table that cannot be filled is reported and left empty.

import type { PGlite } from '@electric-sql/pglite';
import { loadParser } from '../../parse/parse';
import { parseToJson } from '../../parse/libpgQuery';
import { errorMessage, quoteIdentifier } from './loadSchema';

/** Rows per table when neither the table nor "*" has a configured volume. */
export const DEFAULT_TABLE_ROWS = 50_000;
/**
 * Rows over all tables sized by the default (configured volumes are honoured). Measured in PGlite 0.5.16: set-based inserts run at roughly 100k-300k rows/s, and
 * memory grows with the data (1M rows cost ~950 MB in the issue's measurement), so generation is capped.
 */
export const DEFAULT_MAX_TOTAL_ROWS = 1_000_000;
/** Configured volumes above this total are scaled down (memory: PGlite keeps its buffers and WAL in this process). */
export const HARD_MAX_TOTAL_ROWS = 10_000_000;
/** After this much generation time, the remaining default-sized tables get at most SMALL_TABLE_ROWS rows. */
export const DEFAULT_TIME_BUDGET_MS = 300_000;
const SMALL_TABLE_ROWS = 1_000;

export interface SyntheticDataOptions {
  /** Rows per table: `{ "orders": 300000, "*": 50000 }`; keys are `table` or `schema.table`. */
  volumes?: Record<string, number>;
  /** Allowed values per column: `{ "orders.status": ["paid", "open"] }`; the first value is the most common. */
  values?: Record<string, unknown[]>;
  maxTotalRows?: number;
  timeBudgetMs?: number;
  onProgress?: (message: string) => void;
}

export interface TableVolume {
  /** `table` for the public schema, else `schema.table`. */
  table: string;
  rows: number;
  /**
   * configured: from `volumes`; default: the "*" or built-in default (shared out under maxTotalRows); seeded: rows
   * the migrations inserted; capped: fewer than asked for (time budget, unique-value capacity, or a table that failed).
   */
  source: 'configured' | 'default' | 'seeded' | 'capped';
}

export interface SyntheticDataProblem {
  table: string;
  reason: string;
}

export interface SyntheticDataResult {
  volumes: TableVolume[];
  problems: SyntheticDataProblem[];
  milliseconds: number;
}

interface ColumnInfo {
  name: string;
  attnum: number;
  /** format_type(): the type as written in SQL, domains included ("character varying(20)", "order_status"). */
  typeSql: string;
  /** The base type's name after resolving a domain ("varchar", "int4", "_text"). */
  baseType: string;
  /** Element type name for arrays. */
  elementType?: string;
  typeKind: string; // pg_type.typtype of the base type: b, e (enum), c, r, m
  notNull: boolean;
  identity: string; // '', 'a' (always), 'd' (by default)
  generated: string; // '' or 's'/'v'
  hasDefault: boolean;
  /** varchar(n)/char(n) length, or undefined. */
  maxLength?: number;
  numericPrecision?: number;
  numericScale?: number;
  enumLabels?: string[];
}

interface ForeignKeyInfo {
  name: string;
  columns: number[]; // attnums in this table
  referencedTable: number; // oid
  referencedColumns: string[];
}

interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  /** Name for people and config keys: `orders` or `sales.orders`. */
  displayName: string;
  qualifiedSql: string;
  columns: ColumnInfo[];
  foreignKeys: ForeignKeyInfo[];
  /** Column sets that must be unique (primary key, unique constraints, unique indexes on plain columns). */
  uniqueSets: number[][];
  checks: { name: string; definition: string }[];
  existingRows: number;
}

/** Allowed values or numeric bounds learned from CHECK constraints, per column name. */
interface ColumnDomain {
  values?: string[];
  min?: number;
  max?: number;
}

export async function fillSyntheticData(db: PGlite, options: SyntheticDataOptions = {}): Promise<SyntheticDataResult> {
  const started = performance.now();
  await loadParser();
  const tables = await readTables(db);
  const problems: SyntheticDataProblem[] = [];
  const volumes: TableVolume[] = [];
  const plannedRows = planVolumes(tables, options);
  const order = foreignKeyOrder(tables);
  const rowCounts = new Map<number, number>(tables.map((table) => [table.oid, table.existingRows]));
  const deferredForeignKeys: { table: TableInfo; foreignKey: ForeignKeyInfo }[] = [];
  const timeBudget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;

  // The generator guarantees referential integrity by construction, so the per-row foreign-key triggers
  // (and any user triggers, which would fire on synthetic rows) are switched off while filling.
  await db.exec(`SET session_replication_role = replica; SET work_mem = '64MB'; SET maintenance_work_mem = '128MB'`);
  try {
    for (const table of order) {
      const plan = plannedRows.get(table.oid)!;
      let rows = plan.rows;
      let source = plan.source;
      // Only default-sized tables give way to the time budget: configured volumes are what the person asked
      // for, and a loaded machine must not bake smaller tables into the cache than a quiet one would.
      if (source === 'default' && rows > SMALL_TABLE_ROWS && performance.now() - started > timeBudget) {
        rows = SMALL_TABLE_ROWS;
        source = 'capped';
      }
      if (rows <= 0) {
        volumes.push({ table: table.displayName, rows: table.existingRows, source: table.existingRows > 0 ? 'seeded' : source });
        continue;
      }
      options.onProgress?.(`generating synthetic data: ${table.displayName} ${formatRowCount(rows)} rows…`);
      const outcome = await fillTable(db, table, rows, rowCounts, tables, options.values ?? {});
      deferredForeignKeys.push(...outcome.deferred.map((foreignKey) => ({ table, foreignKey })));
      for (const reason of outcome.problems) problems.push({ table: table.displayName, reason });
      rowCounts.set(table.oid, table.existingRows + outcome.inserted);
      volumes.push({
        table: table.displayName,
        rows: table.existingRows + outcome.inserted,
        source: outcome.inserted < rows ? 'capped' : source,
      });
    }
    for (const { table, foreignKey } of deferredForeignKeys) {
      const problem = await fillDeferredForeignKey(db, table, foreignKey, tables, rowCounts);
      if (problem) problems.push({ table: table.displayName, reason: problem });
    }
  } finally {
    await db.exec('RESET session_replication_role; RESET work_mem; RESET maintenance_work_mem');
  }
  // Materialized views were created empty (WITH NO DATA, or before any rows existed): compute them from the
  // synthetic rows so queries on them plan against realistic sizes too.
  const materializedViews = await db.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'm' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY c.oid`,
  );
  for (const view of materializedViews.rows) {
    try {
      await db.exec(`REFRESH MATERIALIZED VIEW ${view.name}`);
    } catch (error) {
      problems.push({ table: view.name, reason: `materialized view could not be refreshed: ${errorMessage(error)}` });
    }
  }
  options.onProgress?.('analyzing synthetic data…');
  // VACUUM sets the visibility map as on a settled production table (index-only scans are costed with it);
  // ANALYZE gives the planner statistics of the synthetic data.
  await db.exec('VACUUM (ANALYZE)');
  volumes.sort((a, b) => b.rows - a.rows || a.table.localeCompare(b.table));
  return { volumes, problems, milliseconds: performance.now() - started };
}

/** "1M", "300k", "1.5k", "20". */
export function formatRowCount(rows: number): string {
  if (rows >= 1_000_000) return `${trimNumber(rows / 1_000_000)}M`;
  if (rows >= 1_000) return `${trimNumber(rows / 1_000)}k`;
  return String(rows);
}

function trimNumber(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Number(value.toFixed(1)));
}

// ---------------------------------------------------------------------------------------------------------
// Catalog

async function readTables(db: PGlite): Promise<TableInfo[]> {
  const tableRows = (
    await db.query<{ oid: number; schema: string; name: string }>(`
      SELECT c.oid::int4 AS oid, n.nspname AS schema, c.relname AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname, c.relname`)
  ).rows;
  if (tableRows.length === 0) return [];
  const oids = tableRows.map((row) => row.oid);

  const columnRows = (
    await db.query<{
      table_oid: number; attnum: number; name: string; type_sql: string; base_type: string; element_type: string | null;
      type_kind: string; not_null: boolean; identity: string; generated: string; has_default: boolean; typmod: number;
      enum_labels: string[] | null;
    }>(
      `SELECT a.attrelid::int4 AS table_oid, a.attnum::int4 AS attnum, a.attname AS name,
              format_type(a.atttypid, a.atttypmod) AS type_sql, bt.typname AS base_type, et.typname AS element_type,
              bt.typtype AS type_kind, a.attnotnull AS not_null, a.attidentity::text AS identity,
              a.attgenerated::text AS generated, a.atthasdef AS has_default,
              CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
              CASE WHEN bt.typtype = 'e' THEN (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = bt.oid) END AS enum_labels
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
       LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
       WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attrelid, a.attnum`,
      [oids],
    )
  ).rows;

  const constraintRows = (
    await db.query<{ table_oid: number; name: string; type: string; columns: number[]; referenced_table: number | null; referenced_columns: string[] | null; definition: string }>(
      `SELECT c.conrelid::int4 AS table_oid, c.conname AS name, c.contype::text AS type, c.conkey::int4[] AS columns,
              c.confrelid::int4 AS referenced_table,
              (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS referenced_columns,
              pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c
       WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'u', 'f', 'c')
       ORDER BY c.conrelid, c.conname`,
      [oids],
    )
  ).rows;

  // Unique indexes that back no constraint (CREATE UNIQUE INDEX ...), on plain columns or expressions.
  const uniqueIndexRows = (
    await db.query<{ table_oid: number; columns: number[]; definition: string }>(
      `SELECT i.indrelid::int4 AS table_oid, i.indkey::int2[]::int4[] AS columns, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       WHERE i.indrelid = ANY($1::oid[]) AND i.indisunique
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))`,
      [oids],
    )
  ).rows;

  const tables: TableInfo[] = tableRows.map((row) => ({
    oid: row.oid,
    schema: row.schema,
    name: row.name,
    displayName: row.schema === 'public' ? row.name : `${row.schema}.${row.name}`,
    qualifiedSql: `${quoteIdentifier(row.schema)}.${quoteIdentifier(row.name)}`,
    columns: [],
    foreignKeys: [],
    uniqueSets: [],
    checks: [],
    existingRows: 0,
  }));
  const byOid = new Map(tables.map((table) => [table.oid, table]));

  for (const row of columnRows) {
    const table = byOid.get(row.table_oid);
    if (!table) continue;
    const column: ColumnInfo = {
      name: row.name,
      attnum: row.attnum,
      typeSql: row.type_sql,
      baseType: row.base_type,
      elementType: row.element_type ?? undefined,
      typeKind: row.type_kind,
      notNull: row.not_null,
      identity: row.identity,
      generated: row.generated,
      hasDefault: row.has_default,
      enumLabels: row.enum_labels ?? undefined,
    };
    if ((row.base_type === 'varchar' || row.base_type === 'bpchar') && row.typmod > 4) column.maxLength = row.typmod - 4;
    if (row.base_type === 'numeric' && row.typmod > 4) {
      column.numericPrecision = ((row.typmod - 4) >> 16) & 0xffff;
      column.numericScale = (row.typmod - 4) & 0xffff;
    }
    table.columns.push(column);
  }
  for (const row of constraintRows) {
    const table = byOid.get(row.table_oid);
    if (!table) continue;
    if (row.type === 'p' || row.type === 'u') table.uniqueSets.push(row.columns);
    else if (row.type === 'c') table.checks.push({ name: row.name, definition: row.definition });
    else if (row.type === 'f' && row.referenced_table !== null && row.referenced_columns) {
      table.foreignKeys.push({ name: row.name, columns: row.columns, referencedTable: row.referenced_table, referencedColumns: row.referenced_columns });
    }
  }
  for (const row of uniqueIndexRows) {
    const table = byOid.get(row.table_oid);
    if (!table) continue;
    const plain = row.columns.filter((attnum) => attnum > 0);
    // Expression columns (attnum 0): make the plain columns the expression mentions unique, which keeps
    // lower(email) or (a || b) unique too.
    const mentioned = row.columns.includes(0)
      ? table.columns.filter((column) => new RegExp(`\\b${escapeRegExp(column.name)}\\b`).test(row.definition.replace(/^.*? USING \w+ /, ''))).map((column) => column.attnum)
      : [];
    const set = [...new Set([...plain, ...mentioned])];
    if (set.length > 0) table.uniqueSets.push(set);
  }
  for (const table of tables) {
    const counted = await db.query<{ count: number }>(`SELECT count(*)::int4 AS count FROM ${table.qualifiedSql}`);
    table.existingRows = counted.rows[0]?.count ?? 0;
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------------------
// Volumes and order

function planVolumes(tables: TableInfo[], options: SyntheticDataOptions): Map<number, { rows: number; source: TableVolume['source'] }> {
  const configured = options.volumes ?? {};
  const fallback = configured['*'] ?? DEFAULT_TABLE_ROWS;
  const planned = new Map<number, { rows: number; source: TableVolume['source'] }>();
  for (const table of tables) {
    const explicit = configured[table.displayName] ?? configured[`${table.schema}.${table.name}`] ?? (table.schema === 'public' ? undefined : configured[table.name]);
    if (explicit !== undefined) {
      planned.set(table.oid, { rows: Math.max(0, Math.floor(explicit) - table.existingRows), source: 'configured' });
    } else if (table.existingRows > 0) {
      // Rows inserted by the migrations are reference data (countries, plans, statuses): keep them as they are.
      planned.set(table.oid, { rows: 0, source: 'seeded' });
    } else {
      planned.set(table.oid, { rows: Math.max(0, Math.floor(fallback)), source: 'default' });
    }
  }
  // Configured volumes are what the person asked for: only an absurd total is scaled down. Tables sized by
  // the default share what is left of maxTotalRows, each keeping at least SMALL_TABLE_ROWS.
  const plans = [...planned.values()];
  const explicit = plans.filter((plan) => plan.source === 'configured');
  const explicitTotal = explicit.reduce((sum, plan) => sum + plan.rows, 0);
  if (explicitTotal > HARD_MAX_TOTAL_ROWS) {
    for (const plan of explicit) {
      plan.rows = Math.floor((plan.rows * HARD_MAX_TOTAL_ROWS) / explicitTotal);
      plan.source = 'capped';
    }
  }
  const defaults = plans.filter((plan) => plan.source === 'default' && plan.rows > 0);
  const defaultTotal = defaults.reduce((sum, plan) => sum + plan.rows, 0);
  const room = Math.max(0, (options.maxTotalRows ?? DEFAULT_MAX_TOTAL_ROWS) - Math.min(explicitTotal, HARD_MAX_TOTAL_ROWS));
  if (defaultTotal > room) {
    for (const plan of defaults) {
      plan.rows = Math.max(Math.min(plan.rows, SMALL_TABLE_ROWS), Math.floor((plan.rows * room) / defaultTotal));
    }
  }
  return planned;
}

/** Referenced tables before referencing ones; a cycle is broken by name order (its keys are filled afterwards). */
function foreignKeyOrder(tables: TableInfo[]): TableInfo[] {
  const byOid = new Map(tables.map((table) => [table.oid, table]));
  const remaining = new Set(tables.map((table) => table.oid));
  const order: TableInfo[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining]
      .map((oid) => byOid.get(oid)!)
      .filter((table) => table.foreignKeys.every((fk) => fk.referencedTable === table.oid || !remaining.has(fk.referencedTable) || !byOid.has(fk.referencedTable)));
    const next = ready.length > 0 ? ready : [[...remaining].map((oid) => byOid.get(oid)!).sort((a, b) => a.displayName.localeCompare(b.displayName))[0]];
    for (const table of next) {
      order.push(table);
      remaining.delete(table.oid);
    }
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------------
// One table

interface FillOutcome {
  inserted: number;
  problems: string[];
  /** Foreign keys whose referenced rows did not exist yet (self references, cycles): filled by an UPDATE afterwards. */
  deferred: ForeignKeyInfo[];
}

async function fillTable(
  db: PGlite,
  table: TableInfo,
  requestedRows: number,
  rowCounts: Map<number, number>,
  tables: TableInfo[],
  valueHints: Record<string, unknown[]>,
): Promise<FillOutcome> {
  const problems: string[] = [];
  const domains = checkDomains(table);
  const droppedChecks: { name: string; definition: string }[] = [];
  const byOid = new Map(tables.map((candidate) => [candidate.oid, candidate]));
  let rows = requestedRows;

  // Foreign keys whose referenced table already has rows are sampled from it; the others wait.
  const sampled: ForeignKeyInfo[] = [];
  const deferred: ForeignKeyInfo[] = [];
  for (const foreignKey of table.foreignKeys) {
    if (!byOid.has(foreignKey.referencedTable)) continue;
    if (foreignKey.referencedTable !== table.oid && (rowCounts.get(foreignKey.referencedTable) ?? 0) > 0) sampled.push(foreignKey);
    else deferred.push(foreignKey);
  }
  const foreignKeyOf = new Map<number, { foreignKey: ForeignKeyInfo; index: number; position: number }>();
  sampled.forEach((foreignKey, index) => foreignKey.columns.forEach((attnum, position) => foreignKeyOf.set(attnum, { foreignKey, index, position })));
  const deferredColumns = new Set(deferred.flatMap((foreignKey) => foreignKey.columns));

  // Every unique column set gets one column derived from the row number; a set made only of sampled
  // foreign-key columns walks the referenced keys in mixed radix instead, which is unique while rows fit.
  const uniqueColumns = new Set<number>();
  const uniqueForeignKeys = new Set<number>(); // indexes into `sampled`
  for (const set of table.uniqueSets) {
    if (set.some((attnum) => uniqueColumns.has(attnum))) continue;
    const derivable = set.find((attnum) => !foreignKeyOf.has(attnum) && canDeriveUnique(table.columns.find((column) => column.attnum === attnum)));
    if (derivable !== undefined) {
      uniqueColumns.add(derivable);
      continue;
    }
    const foreignKeysInSet = [...new Set(set.map((attnum) => foreignKeyOf.get(attnum)?.index).filter((index): index is number => index !== undefined))];
    if (foreignKeysInSet.length > 0) {
      for (const index of foreignKeysInSet) uniqueForeignKeys.add(index);
      const capacity = foreignKeysInSet.reduce((product, index) => product * (rowCounts.get(sampled[index].referencedTable) ?? 0), 1);
      if (capacity < rows) rows = capacity;
    }
  }
  for (const attnum of uniqueColumns) {
    const capacity = uniqueCapacity(table.columns.find((column) => column.attnum === attnum)!, domains);
    if (capacity < rows) rows = capacity;
  }
  if (rows <= 0) return { inserted: 0, problems: ['no rows fit its unique constraints'], deferred: [] };

  // Columns and their expressions. `g` is the row number 1..rows, `n` the row count.
  const offsetFor = async (column: ColumnInfo): Promise<number> => {
    if (table.existingRows === 0 || !/^(int2|int4|int8|numeric)$/.test(column.baseType)) return 0;
    const max = await db.query<{ max: string | null }>(`SELECT max(${quoteIdentifier(column.name)})::text AS max FROM ${table.qualifiedSql}`);
    return Number(max.rows[0]?.max ?? 0) || 0;
  };
  const targetColumns: string[] = [];
  const expressions: string[] = [];
  let overridingSystemValue = false;
  for (const column of table.columns) {
    if (column.generated) continue;
    const hint = valueHints[`${table.displayName}.${column.name}`] ?? valueHints[`${table.schema}.${table.name}.${column.name}`];
    let expression: string | undefined;
    const fk = foreignKeyOf.get(column.attnum);
    if (hint && hint.length > 0) {
      expression = uniqueColumns.has(column.attnum) ? cycleValues(hint.map(sqlLiteral), column) : skewedChoice(hint.map(sqlLiteral), column);
    } else if (fk) {
      expression = `fk${fk.index}.k${fk.position}`;
    } else if (uniqueColumns.has(column.attnum)) {
      expression = uniqueExpression(column, domains.get(column.name), await offsetFor(column));
    } else if (deferredColumns.has(column.attnum)) {
      // Filled by fillDeferredForeignKey once the referenced rows exist; a placeholder satisfies NOT NULL.
      expression = column.notNull ? valueExpression(column, domains.get(column.name), rows) : undefined;
      if (!column.notNull) continue;
    } else {
      expression = valueExpression(column, domains.get(column.name), rows);
      if (expression !== undefined && !column.notNull && nullFraction(column) > 0) {
        expression = `CASE WHEN random() < ${nullFraction(column)} THEN NULL ELSE ${expression} END`;
      }
    }
    if (expression === undefined) {
      if (column.identity || column.hasDefault || !column.notNull) continue; // the default (or NULL) does
      problems.push(`no generator for column ${column.name} of type ${column.typeSql}`);
      return { inserted: 0, problems, deferred: [] };
    }
    if (column.identity === 'a') overridingSystemValue = true;
    targetColumns.push(quoteIdentifier(column.name));
    expressions.push(`(${expression})::${column.typeSql}`);
  }

  // The row source: numbered rows with one random pick per sampled foreign key, joined to the referenced
  // rows by row number (a hash join; indexing into a large array per row would be quadratic for text keys).
  const picks: string[] = ['g'];
  const joins: string[] = [];
  sampled.forEach((foreignKey, index) => {
    const referenced = byOid.get(foreignKey.referencedTable)!;
    const count = rowCounts.get(foreignKey.referencedTable) ?? 0;
    const nullable = foreignKey.columns.every((attnum) => !table.columns.find((column) => column.attnum === attnum)?.notNull);
    let pick: string;
    if (uniqueForeignKeys.has(index)) {
      const radix = [...uniqueForeignKeys].filter((other) => other < index).reduce((product, other) => product * (rowCounts.get(sampled[other].referencedTable) ?? 1), 1);
      pick = `((g - 1) / ${radix}) % ${count} + 1`;
    } else {
      // Skewed: some parents (customers, accounts) have many more children than others, as in real data.
      pick = `1 + floor(${count} * power(random(), 1.5))::int8`;
      if (nullable) pick = `CASE WHEN random() < 0.1 THEN NULL ELSE ${pick} END`;
    }
    picks.push(`${pick} AS fk${index}_row`);
    // Aliased k0, k1, ... so no referenced column name can clash with g.
    const keyList = foreignKey.referencedColumns.map((column, position) => `${quoteIdentifier(column)} AS k${position}`).join(', ');
    joins.push(`LEFT JOIN (SELECT ${keyList}, row_number() OVER () AS rn FROM ${referenced.qualifiedSql}) fk${index} ON fk${index}.rn = s.fk${index}_row`);
  });
  const source = `(SELECT ${picks.join(', ')} FROM generate_series(1, ${rows}) AS g OFFSET 0) s ${joins.join(' ')}`;

  for (let attempt = 0; attempt < 6; attempt++) {
    const insert =
      `INSERT INTO ${table.qualifiedSql} (${targetColumns.join(', ')})${overridingSystemValue ? ' OVERRIDING SYSTEM VALUE' : ''} ` +
      `SELECT ${expressions.join(', ')} FROM ${source}`;
    try {
      const result = targetColumns.length > 0 ? await db.query(insert) : await db.query(`INSERT INTO ${table.qualifiedSql} SELECT FROM generate_series(1, ${rows})`);
      const inserted = result.affectedRows ?? rows;
      await restoreChecks(db, table, droppedChecks, problems);
      await resetSequences(db, table);
      return { inserted, problems, deferred };
    } catch (error) {
      const violated = (error as { constraint?: string; code?: string }).constraint;
      const check = (error as { code?: string }).code === '23514' ? table.checks.find((candidate) => candidate.name === violated) : undefined;
      if (check && !droppedChecks.includes(check)) {
        // A CHECK the generator cannot satisfy (a regular expression, a cross-column rule): fill without it
        // and put it back NOT VALID, which keeps it in the schema without checking the synthetic rows.
        await db.exec(`ALTER TABLE ${table.qualifiedSql} DROP CONSTRAINT ${quoteIdentifier(check.name)}`);
        droppedChecks.push(check);
        continue;
      }
      await restoreChecks(db, table, droppedChecks, problems);
      problems.push(`could not be filled: ${errorMessage(error)}`);
      return { inserted: 0, problems, deferred: [] };
    }
  }
  await restoreChecks(db, table, droppedChecks, problems);
  problems.push('could not be filled: too many CHECK constraints the generator cannot satisfy');
  return { inserted: 0, problems, deferred: [] };
}

async function restoreChecks(db: PGlite, table: TableInfo, dropped: { name: string; definition: string }[], problems: string[]): Promise<void> {
  for (const check of dropped.splice(0)) {
    const definition = check.definition.replace(/\s+NOT VALID$/, '');
    try {
      await db.exec(`ALTER TABLE ${table.qualifiedSql} ADD CONSTRAINT ${quoteIdentifier(check.name)} ${definition} NOT VALID`);
      problems.push(`synthetic rows do not satisfy CHECK ${check.name}; it was re-added NOT VALID`);
    } catch (error) {
      problems.push(`CHECK ${check.name} could not be restored: ${errorMessage(error)}`);
    }
  }
}

/** Moves serial/identity sequences past the generated keys, so later inserts (index trials) do not collide. */
async function resetSequences(db: PGlite, table: TableInfo): Promise<void> {
  for (const column of table.columns) {
    if (!column.identity && !column.hasDefault) continue;
    if (!/^(int2|int4|int8)$/.test(column.baseType)) continue;
    const sequence = await db.query<{ name: string | null }>(`SELECT pg_get_serial_sequence($1, $2) AS name`, [table.qualifiedSql, column.name]);
    const name = sequence.rows[0]?.name;
    if (!name) continue;
    await db.query(`SELECT setval($1, GREATEST((SELECT max(${quoteIdentifier(column.name)}) FROM ${table.qualifiedSql}), 1))`, [name]);
  }
}

/** Points the foreign keys that could not be sampled during the insert (self references, cycles) at real rows. */
async function fillDeferredForeignKey(
  db: PGlite,
  table: TableInfo,
  foreignKey: ForeignKeyInfo,
  tables: TableInfo[],
  rowCounts: Map<number, number>,
): Promise<string | undefined> {
  const referenced = tables.find((candidate) => candidate.oid === foreignKey.referencedTable);
  const count = rowCounts.get(foreignKey.referencedTable) ?? 0;
  if (!referenced || (rowCounts.get(table.oid) ?? 0) === 0) return undefined;
  const columns = foreignKey.columns.map((attnum) => table.columns.find((column) => column.attnum === attnum)!);
  const nullable = columns.every((column) => !column.notNull);
  if (count === 0) {
    if (nullable) return undefined;
    return `foreign key ${foreignKey.name} references ${referenced.displayName}, which has no rows`;
  }
  // Self references (parent_id, manager_id) are mostly NULL at the top of a hierarchy; keep a fifth of them NULL.
  const pick = `CASE WHEN ${nullable ? 'random() < 0.2' : 'false'} THEN NULL ELSE 1 + floor(${count} * random())::int8 END`;
  const keyList = foreignKey.referencedColumns.map((column, position) => `${quoteIdentifier(column)} AS k${position}`).join(', ');
  const assignments = columns.map((column, position) => `${quoteIdentifier(column.name)} = picked.k${position}`);
  const sql =
    `UPDATE ${table.qualifiedSql} AS target SET ${assignments.join(', ')} FROM (` +
    `SELECT choice.row_id, referenced.* FROM (SELECT ctid AS row_id, ${pick} AS rn FROM ${table.qualifiedSql} OFFSET 0) choice ` +
    `LEFT JOIN (SELECT ${keyList}, row_number() OVER () AS rn FROM ${referenced.qualifiedSql}) referenced ON referenced.rn = choice.rn) picked ` +
    `WHERE target.ctid = picked.row_id`;
  try {
    await db.exec(sql);
    return undefined;
  } catch (error) {
    return `foreign key ${foreignKey.name} could not be filled: ${errorMessage(error)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Values

/** Learns allowed values and numeric bounds from the CHECK constraints of one table. */
function checkDomains(table: TableInfo): Map<string, ColumnDomain> {
  const domains = new Map<string, ColumnDomain>();
  const domainOf = (name: string) => {
    let domain = domains.get(name);
    if (!domain) domains.set(name, (domain = {}));
    return domain;
  };
  for (const check of table.checks) {
    const expression = check.definition.replace(/^CHECK\s*/i, '').replace(/\s+NOT VALID$/i, '');
    let tree: AstNodeLike;
    try {
      tree = (parseToJson(`SELECT 1 WHERE ${expression}`) as AstNodeLike).stmts[0].stmt.SelectStmt.whereClause;
    } catch {
      continue;
    }
    learnFromCheck(tree, domainOf);
  }
  return domains;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AstNodeLike = any;

function learnFromCheck(node: AstNodeLike, domainOf: (column: string) => ColumnDomain): void {
  if (!node) return;
  if (node.BoolExpr?.boolop === 'AND_EXPR') {
    for (const argument of node.BoolExpr.args ?? []) learnFromCheck(argument, domainOf);
    return;
  }
  if (node.BoolExpr?.boolop === 'OR_EXPR') {
    // status = 'a' OR status = 'b'
    const values: string[] = [];
    let column: string | undefined;
    for (const argument of node.BoolExpr.args ?? []) {
      const expression = argument.A_Expr;
      const name = expression && expression.kind === 'AEXPR_OP' && operatorName(expression) === '=' ? columnName(expression.lexpr) : undefined;
      const value = name ? constantValue(expression.rexpr) : undefined;
      if (!name || value === undefined || (column && column !== name)) return;
      column = name;
      values.push(value);
    }
    if (column) domainOf(column).values = values;
    return;
  }
  const expression = node.A_Expr;
  if (!expression) return;
  const column = columnName(expression.lexpr);
  if (!column) return;
  const operator = operatorName(expression);
  if ((expression.kind === 'AEXPR_OP_ANY' && operator === '=') || expression.kind === 'AEXPR_IN') {
    const items = expression.kind === 'AEXPR_IN' ? expression.rexpr?.List?.items : arrayElements(expression.rexpr);
    const values = (items ?? []).map(constantValue);
    if (values.length > 0 && values.every((value: string | undefined) => value !== undefined)) domainOf(column).values = values;
  } else if (expression.kind === 'AEXPR_BETWEEN') {
    const [low, high] = (expression.rexpr?.List?.items ?? []).map(constantValue).map(Number);
    if (Number.isFinite(low) && Number.isFinite(high)) Object.assign(domainOf(column), { min: low, max: high });
  } else if (expression.kind === 'AEXPR_OP') {
    const bound = Number(constantValue(expression.rexpr));
    if (!Number.isFinite(bound)) return;
    const domain = domainOf(column);
    if (operator === '>') domain.min = Math.max(domain.min ?? -Infinity, bound + (Number.isInteger(bound) ? 1 : 0.01));
    else if (operator === '>=') domain.min = Math.max(domain.min ?? -Infinity, bound);
    else if (operator === '<') domain.max = Math.min(domain.max ?? Infinity, bound - (Number.isInteger(bound) ? 1 : 0.01));
    else if (operator === '<=') domain.max = Math.min(domain.max ?? Infinity, bound);
    else if (operator === '=') domain.values = [String(bound)];
  }
}

function operatorName(expression: AstNodeLike): string | undefined {
  return expression.name?.[expression.name.length - 1]?.String?.sval;
}

function columnName(node: AstNodeLike): string | undefined {
  const inner = node?.TypeCast ? node.TypeCast.arg : node;
  const fields = inner?.ColumnRef?.fields;
  return fields?.length === 1 ? fields[0].String?.sval : undefined;
}

function arrayElements(node: AstNodeLike): AstNodeLike[] | undefined {
  const inner = node?.TypeCast ? node.TypeCast.arg : node;
  return inner?.A_ArrayExpr?.elements;
}

function constantValue(node: AstNodeLike): string | undefined {
  const inner = node?.TypeCast ? node.TypeCast.arg : node;
  const constant = inner?.A_Const;
  if (!constant || constant.isnull) return undefined;
  if (constant.sval) return constant.sval.sval ?? '';
  if (constant.ival) return String(constant.ival.ival ?? 0);
  if (constant.fval) return constant.fval.fval;
  if (constant.boolval) return String(constant.boolval.boolval ?? false);
  return undefined;
}

function canDeriveUnique(column: ColumnInfo | undefined): boolean {
  if (!column || column.generated) return false;
  return /^(int2|int4|int8|numeric|float4|float8|text|varchar|bpchar|citext|uuid|date|timestamp|timestamptz|bytea|inet|cidr|oid)$/.test(column.baseType) || column.typeKind === 'e';
}

/** How many distinct values uniqueExpression can produce for the column. */
function uniqueCapacity(column: ColumnInfo, domains: Map<string, ColumnDomain>): number {
  const allowed = domains.get(column.name)?.values ?? column.enumLabels;
  if (allowed) return allowed.length;
  if (column.baseType === 'int2') return 32_000;
  if (column.maxLength !== undefined && /^(varchar|bpchar)$/.test(column.baseType)) return column.maxLength >= 12 ? Number.MAX_SAFE_INTEGER : 16 ** column.maxLength - 1;
  if (column.numericPrecision !== undefined) return 10 ** Math.min(15, column.numericPrecision - (column.numericScale ?? 0)) - 1;
  return Number.MAX_SAFE_INTEGER;
}

/** A value that differs for every row number g. */
function uniqueExpression(column: ColumnInfo, domain: ColumnDomain | undefined, offset: number): string {
  const allowed = domain?.values ?? column.enumLabels;
  if (allowed) return cycleValues(allowed.map(sqlLiteral), column);
  const name = column.name.toLowerCase();
  switch (column.baseType) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
    case 'oid':
      return `${offset + (domain?.min !== undefined && domain.min > 0 ? domain.min - 1 : 0)} + g`;
    case 'uuid':
      return 'gen_random_uuid()';
    case 'date':
      return `date '1990-01-01' + g::int4`;
    case 'timestamp':
    case 'timestamptz':
      return `timestamp '2020-01-01' + g * interval '1 second'`;
    case 'bytea':
      return `decode(md5(g::text), 'hex')`;
    case 'inet':
    case 'cidr':
      return `'10.0.0.0'::inet + g`;
    default: {
      const limit = column.maxLength;
      if (limit !== undefined && limit < 12) return `to_hex(g)`;
      if (/e?mail/.test(name)) return `'user' || g || '@example.com'`;
      return `'${name.replace(/[^a-z0-9_]/g, '').slice(0, 8) || 'v'}_' || g`;
    }
  }
}

/** Values of a list in turn (unique while rows ≤ values). */
function cycleValues(literals: string[], column: ColumnInfo): string {
  return `(ARRAY[${literals.map((literal) => `${literal}::${column.typeSql}`).join(', ')}])[((g - 1) % ${literals.length}) + 1]`;
}

/**
 * One of the values, skewed: the first is the most common and later ones rarer (for 4 values about
 * 63%, 17%, 11%, 9%), as status columns are in real tables, so a partial index on a rare value is worth advising.
 */
function skewedChoice(literals: string[], column: ColumnInfo): string {
  if (literals.length === 1) return `${literals[0]}::${column.typeSql}`;
  return `(ARRAY[${literals.map((literal) => `${literal}::${column.typeSql}`).join(', ')}])[1 + floor(${literals.length} * power(random(), 3))::int]`;
}

/** Share of NULLs in a nullable column: most soft-delete and end timestamps are NULL, other columns 10%. */
function nullFraction(column: ColumnInfo): number {
  const name = column.name.toLowerCase();
  if (/(deleted|archived|cancell?ed|closed|revoked|banned|expired|ended|failed|resolved)_?(at|on|date|time)$/.test(name)) return 0.95;
  return 0.1;
}

const STATUS_VALUES = ['active', 'pending', 'inactive', 'archived'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'];

/** An expression for a non-unique value of the column, or undefined when the type has no generator. */
function valueExpression(column: ColumnInfo, domain: ColumnDomain | undefined, rows: number): string | undefined {
  if (domain?.values) return skewedChoice(domain.values.map(sqlLiteral), column);
  if (column.enumLabels) return skewedChoice(column.enumLabels.map(sqlLiteral), column);
  const name = column.name.toLowerCase();
  const type = column.baseType;
  if (type.startsWith('_') && column.elementType) {
    const element = valueExpression({ ...column, baseType: column.elementType, typeSql: column.elementType, elementType: undefined, maxLength: undefined, enumLabels: undefined }, undefined, rows);
    return element === undefined ? undefined : `ARRAY[${element}, ${element}]`;
  }
  const bounded = (fallbackMin: number, fallbackMax: number, integer: boolean) => {
    const min = domain?.min ?? fallbackMin;
    const max = Math.max(min, domain?.max ?? (domain?.min !== undefined ? Math.max(fallbackMax, min + fallbackMax) : fallbackMax));
    return integer ? `${min} + floor(random() * ${max - min + 1})::int8` : `round((${min} + random() * ${max - min})::numeric, ${column.numericScale ?? 2})`;
  };
  switch (type) {
    case 'int2':
      return bounded(0, /qty|quantity|count/.test(name) ? 10 : 1000, true);
    case 'int4':
    case 'int8':
      if (/qty|quantity/.test(name)) return bounded(1, 10, true);
      if (/year/.test(name)) return bounded(2000, 2025, true);
      if (/age$/.test(name)) return bounded(18, 90, true);
      if (/cents|amount|price|total|cost/.test(name)) return bounded(0, 100_000, true);
      return bounded(0, Math.max(1000, rows), true);
    case 'numeric': {
      const digits = (column.numericPrecision ?? 12) - (column.numericScale ?? 0);
      const ceiling = Math.min(10_000, 10 ** Math.min(digits, 15) - 1);
      return bounded(0, ceiling, false);
    }
    case 'float4':
    case 'float8':
      return `${domain?.min ?? 0} + random() * ${(domain?.max ?? 1000) - (domain?.min ?? 0)}`;
    case 'bool':
      if (/deleted|archived|disabled|banned|blocked|flagged|suspended|locked|spam/.test(name)) return 'random() < 0.02';
      if (/active|enabled|verified|visible|published|confirmed|valid/.test(name)) return 'random() < 0.9';
      return 'random() < 0.5';
    case 'date':
      return `date '2021-01-01' + floor(random() * 1460)::int4`;
    case 'timestamp':
    case 'timestamptz':
      // Creation times grow with the row number, as in an append-only table (the planner sees correlation 1).
      if (/^(created|inserted|occurred|recorded|logged)(_at|_on|_time)?$/.test(name) || name === 'timestamp' || name === 'ts') {
        return `timestamp '2021-01-01' + (g::float8 / ${Math.max(1, rows)}) * interval '1460 days' + random() * interval '1 hour'`;
      }
      if (/^updated/.test(name)) return `timestamp '2021-01-01' + (g::float8 / ${Math.max(1, rows)}) * interval '1460 days' + random() * interval '60 days'`;
      return `timestamp '2021-01-01' + random() * interval '1460 days'`;
    case 'time':
    case 'timetz':
      return `time '00:00' + random() * interval '24 hours'`;
    case 'interval':
      return `random() * interval '30 days'`;
    case 'uuid':
      return 'gen_random_uuid()';
    case 'json':
    case 'jsonb':
      return `jsonb_build_object('kind', (ARRAY['view', 'click', 'signup', 'purchase'])[1 + floor(4 * power(random(), 2))::int], 'value', floor(random() * 100)::int, 'source', 'synthetic')`;
    case 'bytea':
      return `decode(md5(random()::text), 'hex')`;
    case 'inet':
    case 'cidr':
      return `'10.0.0.0'::inet + floor(random() * 16777216)::int8`;
    case 'money':
      return `(random() * 1000)::numeric(12, 2)::money`;
    case 'tsvector':
      return `to_tsvector('simple', ${wordsExpression()})`;
    case 'oid':
      return `floor(random() * 100000)::int8`;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'citext':
    case 'name': {
      const expression = textExpression(name, rows);
      return column.maxLength !== undefined ? `left(${expression}, ${column.maxLength})` : expression;
    }
    default:
      return undefined;
  }
}

function textExpression(name: string, rows: number): string {
  if (/e?mail/.test(name)) return `'user' || floor(random() * ${Math.max(rows, 1000)})::int8 || '@example.com'`;
  if (/^(status|state)$|_status$|_state$/.test(name)) return `(ARRAY[${STATUS_VALUES.map(sqlLiteral).join(', ')}])[1 + floor(${STATUS_VALUES.length} * power(random(), 3))::int]`;
  if (/^(type|kind|category|role|plan|tier|channel|source)$|_(type|kind)$/.test(name)) return `'${name.slice(0, 12)}_' || (1 + floor(8 * power(random(), 2))::int)`;
  if (/currency/.test(name)) return `(ARRAY['USD', 'EUR', 'GBP', 'JPY'])[1 + floor(4 * power(random(), 2))::int]`;
  if (/country/.test(name)) return `(ARRAY['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN', 'CA'])[1 + floor(8 * power(random(), 2))::int]`;
  if (/(^|_)(name|title|label)$/.test(name)) return `initcap(${wordsExpression()}) || ' ' || floor(random() * ${Math.max(rows, 1000)})::int8`;
  if (/url|link|website/.test(name)) return `'https://example.com/' || md5(random()::text)`;
  if (/phone/.test(name)) return `'+1555' || lpad(floor(random() * 10000000)::text, 7, '0')`;
  if (/sku|code|slug|token|hash|key/.test(name)) return `md5(random()::text)`;
  if (/description|body|content|comment|note|text|message|bio/.test(name)) return `${wordsExpression()} || ' ' || ${wordsExpression()} || ' ' || md5(random()::text)`;
  return `substr(md5(random()::text), 1, 16)`;
}

function wordsExpression(): string {
  return `(ARRAY[${WORDS.map(sqlLiteral).join(', ')}])[1 + floor(random() * ${WORDS.length})::int] || ' ' || (ARRAY[${WORDS.map(sqlLiteral).join(', ')}])[1 + floor(random() * ${WORDS.length})::int]`;
}

/** A JSON-ish value from pglens.json as a SQL literal (strings quoted, objects as JSON text). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `'${text.replace(/'/g, "''")}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// What executing a statement may do besides reading: EXPLAIN ANALYZE really runs the statement, and a rollback undoes
// only what stays inside the transaction. A statement runs without a person's confirmation only when it is a plain
// SELECT (no data-modifying CTE, no FOR UPDATE/SHARE, no SELECT INTO) and every function it calls, directly or through
// a view or a row-security policy it reads, is known immutable or stable and not on the list of functions that act
// outside the transaction. Everything else gets a reason a person can read before saying yes.
//
// The calls come from the parse tree, never from the text, so `"nextval"('s')`, `PG_CATALOG.Pg_Advisory_Lock(1)` and
// a call inside a CTE, a subquery or ORDER BY are all seen. Names are resolved through pg_proc the way the server
// would (schema-qualified, or visible on the search_path), in ONE read-only query with bound parameters.
//
// Limits, said plainly (docs/editor-setup.md repeats them):
// - a function declared STABLE or IMMUTABLE is taken at its word, even when its body calls a volatile function;
// - column defaults, triggers, operators, casts and domain checks run functions the statement does not name (only
//   data-modifying statements fire defaults and triggers, and those always need confirmation);
// - functions called from inside other functions' bodies are not followed.
// The caller runs a statement with no reasons in a READ ONLY transaction, so a write hidden behind those limits fails
// instead of running.

import type { AstNode, ParsedStatement } from '../parse/parse';
import { withReadOnlyTransaction, type DatabaseClient, type TransactionLimits } from './client';

export interface RiskLookupOptions extends TransactionLimits {
  signal?: AbortSignal;
}

/** A name as written in the statement, resolved by the parser (unquoted names folded to lower case). */
interface QualifiedName {
  schema?: string;
  name: string;
}

/** What the parse tree says about the statement on its own, before any catalogue look-up. */
export interface StatementShape {
  /** Reasons that need no catalogue: the statement writes, locks rows, creates a table. */
  reasons: string[];
  /** Every function call, in order of appearance (duplicates removed). */
  calls: QualifiedName[];
  /** Every relation named (tables, views, foreign tables; CTE names too, which resolve to nothing or are harmless). */
  relations: QualifiedName[];
}

const MODIFYING_KINDS: Record<string, string> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };

/**
 * Walks the statement's parse tree (iteratively: a deeply nested expression cannot exhaust the stack) for the
 * statement's own reasons, its function calls and the relations it names.
 */
export function statementShape(statement: ParsedStatement): StatementShape {
  const reasons: string[] = [];
  const calls = new Map<string, QualifiedName>();
  const relations = new Map<string, QualifiedName>();
  const kind = statement.kind;
  const top = MODIFYING_KINDS[kind];
  if (top) reasons.push(`${top} writes rows`);
  else if (kind !== 'SelectStmt') reasons.push(`${kind} is not a plain query`);
  if (kind === 'SelectStmt' && statement.node.SelectStmt?.intoClause) reasons.push('SELECT INTO creates a table');

  const nested = new Set<string>();
  let locksRows = false;
  const stack: AstNode[] = [statement.node];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      if (value !== statement.node[kind] && MODIFYING_KINDS[key]) nested.add(MODIFYING_KINDS[key]);
      if (key === 'SelectStmt' && Array.isArray(value.lockingClause) && value.lockingClause.length > 0) locksRows = true;
      if (key === 'FuncCall') {
        const name = qualifiedName(value.funcname);
        if (name) calls.set(nameKey(name), name);
      } else if (key === 'RangeVar' && typeof value.relname === 'string') {
        const name = { schema: typeof value.schemaname === 'string' ? value.schemaname : undefined, name: value.relname };
        relations.set(nameKey(name), name);
      }
      stack.push(value);
    }
  }
  for (const what of nested) reasons.push(`it contains a data-modifying ${what}`);
  if (locksRows) reasons.push('it locks the rows it reads (FOR UPDATE/SHARE) until the rollback');
  return { reasons, calls: [...calls.values()], relations: [...relations.values()] };
}

/** `funcname` of a FuncCall: one, two or three String nodes (catalog.schema.name: the catalog is the database). */
function qualifiedName(parts: AstNode): QualifiedName | undefined {
  if (!Array.isArray(parts)) return undefined;
  const names = parts.map((p: AstNode) => p?.String?.sval).filter((s: unknown): s is string => typeof s === 'string');
  if (names.length === 0 || names.length !== parts.length) return undefined;
  const name = names[names.length - 1];
  return names.length === 1 ? { name } : { schema: names[names.length - 2], name };
}

function nameKey(name: QualifiedName): string {
  return JSON.stringify([name.schema ?? null, name.name]);
}

function display(name: QualifiedName): string {
  return name.schema ? `${name.schema}.${name.name}` : name.name;
}

/** A function as pg_proc describes it. */
interface FunctionFacts {
  signature: string;
  schema: string;
  name: string;
  /** 'i' immutable, 's' stable, 'v' volatile; for an aggregate, the most volatile of it and its support functions. */
  volatility: string;
  extension: string | null;
}

/**
 * Functions that act outside the transaction, or hold something after it, whatever their declared volatility, by
 * name in pg_catalog or (for extensions such as dblink) in any schema. The text says what the rollback cannot undo.
 */
function knownDanger(fn: FunctionFacts): string | undefined {
  const name = fn.name;
  const builtin = fn.schema === 'pg_catalog';
  if (name === 'dblink_exec') return `${name} can commit on another server, the rollback cannot undo it`;
  if (/^dblink/.test(name)) return `${name} runs statements on another server (or keeps a connection open), the rollback cannot undo what it commits there`;
  if (!builtin && fn.extension === null) return undefined;
  if (/^pg_(try_)?advisory_lock(_shared)?$/.test(name)) return `${name} holds a session lock, which outlives the rollback`;
  if (/^pg_(try_)?advisory_xact_lock(_shared)?$/.test(name)) return `${name} takes an advisory lock and may wait for other sessions until the rollback`;
  if (/^pg_advisory_unlock/.test(name)) return `${name} releases session locks`;
  if (name === 'pg_terminate_backend') return `${name} ends another session's connection`;
  if (name === 'pg_cancel_backend') return `${name} cancels another session's running statement`;
  if (name === 'nextval' || name === 'setval') return `${name} advances a sequence, the rollback does not undo it`;
  if (name === 'set_config') return `${name} changes a setting (for the whole session unless is_local)`;
  if (name === 'pg_notify') return `${name} sends a notification (dropped by the rollback, but other sessions may be waiting on it)`;
  if (name === 'lo_export') return `${name} writes a file on the database server, the rollback cannot undo it`;
  if (name === 'lo_import') return `${name} reads a file on the database server`;
  if (/^lo_|^lowrite$|^loread$/.test(name)) return `${name} works on large objects`;
  if (name === 'pg_reload_conf') return `${name} reloads the server's configuration, the rollback cannot undo it`;
  if (name === 'pg_rotate_logfile') return `${name} rotates the server's log file, the rollback cannot undo it`;
  if (/^pg_(read_file|read_binary_file|ls_|stat_file)/.test(name)) return `${name} reads files on the database server`;
  if (/^pg_file_/.test(name)) return `${name} writes files on the database server, the rollback cannot undo it`;
  if (/^(query_to_xml|query_to_xmlschema|query_to_xml_and_xmlschema|cursor_to_xml|ts_stat)$/.test(name)) return `${name} executes the SQL text it is given`;
  if (/^(txid_current|pg_current_xact_id)$/.test(name)) return `${name} assigns a transaction id`;
  if (/^pg_sleep/.test(name)) return `${name} sleeps, keeping the transaction open`;
  if (/^pg_(create|drop|copy)_.*replication_slot$|^pg_logical_slot_get|^pg_replication_(origin|slot)_/.test(name)) return `${name} changes replication state, the rollback cannot undo it`;
  if (/^pg_(switch_wal|create_restore_point|promote|backup_start|backup_stop|start_backup|stop_backup|wal_replay_)/.test(name)) return `${name} acts on the server's WAL or recovery, the rollback cannot undo it`;
  if (/^pg_stat_(statements_)?reset/.test(name)) return `${name} resets statistics, the rollback cannot undo it`;
  if (/^hypopg_/.test(name)) return `${name} changes the session's hypothetical indexes`;
  return undefined;
}

/** Volatile built-ins that only read (random numbers, the clock): a SELECT that calls them needs no confirmation. */
const READ_ONLY_VOLATILE_BUILTINS = new Set(['random', 'random_normal', 'clock_timestamp', 'timeofday', 'gen_random_uuid']);

/**
 * Extensions whose functions only compute (their declared volatility can be trusted, none acts outside the
 * transaction). A function of any other extension needs confirmation whatever it declares.
 */
const VOUCHED_EXTENSIONS = new Set([
  'pg_trgm',
  'citext',
  'hstore',
  'fuzzystrmatch',
  'unaccent',
  'ltree',
  'intarray',
  'cube',
  'earthdistance',
  'isn',
  'pgcrypto',
  'uuid-ossp',
  'btree_gin',
  'btree_gist',
  'postgis',
]);

/** Why calling `fn` may do more than read, or undefined when it is known not to. */
function functionRisk(fn: FunctionFacts): string | undefined {
  const danger = knownDanger(fn);
  if (danger) return danger;
  const qualified = `${fn.schema}.${fn.signature.replace(/^[^(]*/, fn.name)}`;
  if (fn.volatility === 'v') {
    if (fn.schema === 'pg_catalog' && READ_ONLY_VOLATILE_BUILTINS.has(fn.name)) return undefined;
    return `calls volatile function ${qualified} which may write data`;
  }
  if (fn.extension !== null && fn.schema !== 'pg_catalog' && !VOUCHED_EXTENSIONS.has(fn.extension)) {
    return `calls ${qualified} from extension ${fn.extension}, which pglens cannot vouch for`;
  }
  return undefined;
}

/**
 * One statement, bound parameters only: the functions each call can resolve to (every visible overload, since the
 * argument types are not known without planning), and the functions reached through the views and row-security
 * policies of the relations named (views of views followed), plus the foreign tables among those relations.
 */
const LOOKUP_SQL = `
WITH RECURSIVE
calls AS (
  SELECT c.i, p.oid AS fn
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c(schema_name, name, i)
  LEFT JOIN pg_catalog.pg_proc p ON p.proname = c.name AND CASE
    WHEN c.schema_name IS NULL THEN pg_catalog.pg_function_is_visible(p.oid)
    ELSE p.pronamespace = (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = c.schema_name) END
),
relations(rel, via) AS (
  SELECT r.oid, r.oid FROM (
    SELECT pg_catalog.to_regclass(CASE WHEN u.schema_name IS NULL THEN pg_catalog.quote_ident(u.name)
      ELSE pg_catalog.quote_ident(u.schema_name) || '.' || pg_catalog.quote_ident(u.name) END)::oid AS oid
    FROM unnest($3::text[], $4::text[]) AS u(schema_name, name)
  ) r WHERE r.oid IS NOT NULL
  UNION
  SELECT d.refobjid, relations.via
  FROM relations
  JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = relations.rel
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
    AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> relations.rel
),
reached AS (
  SELECT relations.rel, relations.via, d.refobjid AS fn
  FROM relations
  JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_proc'::regclass AND (
    (d.classid = 'pg_catalog.pg_rewrite'::regclass
      AND d.objid IN (SELECT rw.oid FROM pg_catalog.pg_rewrite rw WHERE rw.ev_class = relations.rel))
    OR (d.classid = 'pg_catalog.pg_policy'::regclass
      AND d.objid IN (SELECT pol.oid FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
                      WHERE pol.polrelid = relations.rel AND c.relrowsecurity)))
),
facts AS (
  SELECT p.oid AS fn, p.oid::regprocedure::text AS signature, n.nspname AS schema_name, p.proname AS name,
    (SELECT CASE WHEN bool_or(v.vol = 'v') THEN 'v' WHEN bool_or(v.vol = 's') THEN 's' ELSE 'i' END
     FROM (SELECT p.provolatile AS vol
           UNION ALL
           SELECT f.provolatile FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc f ON f.oid = ANY (ARRAY[
             a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn,
             a.aggminvtransfn, a.aggmfinalfn]::oid[])
           WHERE a.aggfnoid = p.oid) v) AS volatility,
    (SELECT e.extname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
     WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
       AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e' LIMIT 1) AS extension
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.oid IN (SELECT fn FROM calls UNION SELECT fn FROM reached)
)
SELECT 'call' AS source, calls.i::int AS call_index, NULL::text AS via, NULL::text AS relation,
  f.signature, f.schema_name, f.name, f.volatility, f.extension
FROM calls LEFT JOIN facts f ON f.fn = calls.fn
UNION ALL
SELECT 'relation', NULL, reached.via::regclass::text, reached.rel::regclass::text,
  f.signature, f.schema_name, f.name, f.volatility, f.extension
FROM reached JOIN facts f ON f.fn = reached.fn
UNION ALL
SELECT 'foreign', NULL, relations.via::regclass::text, relations.rel::regclass::text, NULL, NULL, NULL, NULL, NULL
FROM relations JOIN pg_catalog.pg_class c ON c.oid = relations.rel WHERE c.relkind = 'f'
`;

interface LookupRow {
  source: 'call' | 'relation' | 'foreign';
  call_index: number | null;
  via: string | null;
  relation: string | null;
  signature: string | null;
  schema_name: string | null;
  name: string | null;
  volatility: string | null;
  extension: string | null;
}

/**
 * Everything executing `statement` may do besides reading, as sentences for a confirmation dialog; empty when it
 * may run without one. The catalogue look-up runs in a READ ONLY transaction under the given timeouts; if it fails,
 * the error propagates (the caller must not run the statement unconfirmed).
 */
export async function describeExecutionRisks(db: DatabaseClient, statement: ParsedStatement, options: RiskLookupOptions): Promise<string[]> {
  const shape = statementShape(statement);
  const reasons = [...shape.reasons];
  if (shape.calls.length === 0 && shape.relations.length === 0) return reasons;
  const rows = await withReadOnlyTransaction(
    db,
    options,
    async (session) =>
      (
        await session.query<LookupRow>(LOOKUP_SQL, [
          shape.calls.map((c) => c.schema ?? null),
          shape.calls.map((c) => c.name),
          shape.relations.map((r) => r.schema ?? null),
          shape.relations.map((r) => r.name),
        ])
      ).rows,
    options.signal,
  );
  const add = (reason: string) => {
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  // Calls first, in the statement's order; then what views and policies reach.
  const callRows = rows.filter((r) => r.source === 'call').sort((a, b) => (a.call_index ?? 0) - (b.call_index ?? 0));
  for (const row of callRows) {
    const call = shape.calls[(row.call_index ?? 1) - 1];
    const fn = factsOf(row);
    if (!fn) {
      add(`calls ${display(call)}(), which pglens cannot find in pg_proc (not on the search_path, or a name in another case), so it cannot vouch for it`);
      continue;
    }
    const risk = functionRisk(fn);
    if (risk) add(risk);
  }
  for (const row of rows) {
    if (row.source === 'relation') {
      const fn = factsOf(row);
      const risk = fn && functionRisk(fn);
      if (risk) add(`reads ${row.via}${row.relation !== row.via ? ` (through ${row.relation})` : ''}, which ${risk}`);
    } else if (row.source === 'foreign') {
      add(`reads foreign table ${row.relation}${row.relation !== row.via ? ` (through ${row.via})` : ''}: its foreign-data wrapper runs the query on another server`);
    }
  }
  return reasons;
}

function factsOf(row: LookupRow): FunctionFacts | undefined {
  if (row.signature === null || row.schema_name === null || row.name === null || row.volatility === null) return undefined;
  return { signature: row.signature, schema: row.schema_name, name: row.name, volatility: row.volatility, extension: row.extension };
}

// The lock model: which table-level lock each statement takes on each relation it touches, whether it rewrites
// or scans the table while holding it, and whether it may run inside a transaction block.
//
// Sources, per statement kind: PostgreSQL docs "Explicit Locking" (13.3.1 Table-Level Locks: which commands take
// which mode), the reference page of each command (ALTER TABLE lists the lock per subcommand; "An ACCESS
// EXCLUSIVE lock is acquired unless explicitly noted"), and AlterTableGetLockLevel() in
// src/backend/commands/tablecmds.c. Every mode a statement can take inside a transaction is checked against
// pg_locks of a real server by test/locks/lockModel.server.test.ts; the rest (CONCURRENTLY, VACUUM) is
// asserted from the documentation in that same test.

import { walkAst, type AstNode, type ParsedStatement } from '../parse/parse';
import { columnTypeFromAst, columnTypeFromText, formatColumnType, isBinaryCoercibleChange, type ColumnType } from './columnTypes';
import { lockDisplayName, lockModeFromNumber, lockStrength, strongerLock, type LockMode } from './lockModes';
import { tokenizeSql, type SqlToken } from './tokens';
import { expressionVolatility, SERIAL_TYPES, type CatalogVolatility } from './volatility';

export type { LockMode } from './lockModes';

export type RelationKind = 'table' | 'index' | 'view' | 'materialized view' | 'sequence';

export interface TableLock {
  /** The relation's name as written (for an index lock mapped to its table: the table). */
  table: string;
  schema?: string;
  mode: LockMode;
  /** Why: "CREATE INDEX", "ALTER TABLE ... ADD FOREIGN KEY (referenced table)". */
  reason: string;
  /** 'table' when left out. */
  relationKind?: RelationKind;
  /** UTF-16 offset in the site's text of the name in the statement, when it is written there. */
  location?: number;
}

export interface StatementLocks {
  /** One entry per relation, with the strongest mode the statement takes on it. */
  locks: TableLock[];
  /** The table is rewritten (every row copied to a new file) while the lock is held. */
  rewrite: boolean;
  /** The whole table is read while the lock is held (index build, constraint validation, rewrite). */
  scan: boolean;
  notes: string[];
  /** false for CREATE INDEX CONCURRENTLY, VACUUM ...: PostgreSQL refuses them inside BEGIN ... COMMIT. */
  canRunInTransaction: boolean;
}

export interface LockModelContext {
  /** server_version_num of the target server; the newest behaviour is assumed when unknown. */
  serverVersionNum?: number;
  /** Statements earlier in the same file (tables and constraints created there, column types). */
  previousStatements?: ParsedStatement[];
  /** What those statements amount to, when the caller keeps it up to date (instead of folding previousStatements again). */
  history?: FileHistory;
  /** The table an index belongs to (from schema facts); DROP INDEX and REINDEX INDEX lock that table. */
  indexTable?(index: string, schema?: string): { table: string; schema?: string } | undefined;
  /** The current type of a column as format_type() prints it (from schema facts). */
  columnType?(table: string, column: string, schema?: string): string | undefined;
  /** The table a foreign-key constraint of `table` references (from schema facts). */
  foreignKeyTarget?(constraint: string, table: string, schema?: string): { table: string; schema?: string } | undefined;
  /** Foreign keys of other tables that reference `table` (from schema facts): DROP TABLE ... CASCADE drops them. */
  referencingTables?(table: string, schema?: string): { table: string; schema?: string; constraint: string }[];
  /** Foreign keys of `table` itself: DROP TABLE removes their triggers on the referenced tables. */
  referencedTables?(table: string, schema?: string): { table: string; schema?: string; constraint: string }[];
  /** Function and cast volatility from the connected database (pg_proc, pg_cast). */
  catalogVolatility?: CatalogVolatility;
}

const PG11 = 110000;
const PG12 = 120000;
const PG14 = 140000;

interface Builder {
  locks: TableLock[];
  rewrite: boolean;
  scan: boolean;
  notes: string[];
  canRunInTransaction: boolean;
}

function newBuilder(): Builder {
  return { locks: [], rewrite: false, scan: false, notes: [], canRunInTransaction: true };
}

function addLock(b: Builder, lock: TableLock): void {
  const kind = lock.relationKind ?? 'table';
  const same = b.locks.find(
    (l) => l.table === lock.table && (l.schema ?? '') === (lock.schema ?? '') && (l.relationKind ?? 'table') === kind,
  );
  if (!same) {
    b.locks.push(lock);
    return;
  }
  if (lockStrength(lock.mode) > lockStrength(same.mode)) {
    same.mode = lock.mode;
    same.reason = lock.reason;
  }
  same.location ??= lock.location;
}

function note(b: Builder, text: string): void {
  if (!b.notes.includes(text)) b.notes.push(text);
}

/** A RangeVar body → name parts and location. */
export function rangeVarName(rv: AstNode, statement: ParsedStatement): { table: string; schema?: string; location?: number } {
  return {
    table: rv.relname,
    schema: rv.schemaname ?? undefined,
    location: typeof rv.location === 'number' && rv.location >= 0 ? nameLocation(statement, rv) : undefined,
  };
}

/** Location of the relation name itself (after "schema."), so that anchors cover just the table name. */
function nameLocation(statement: ParsedStatement, rv: AstNode): number {
  const start = statement.offsetOf(rv.location);
  if (!rv.schemaname) return start;
  const tokens = tokenizeSql(statement.site.text, start, Math.min(statement.site.text.length, start + 400));
  const dot = tokens.findIndex((t) => t.type === 'punct' && t.value === '.');
  return dot >= 0 && tokens[dot + 1] ? tokens[dot + 1].start : start;
}

function lockRangeVar(b: Builder, statement: ParsedStatement, rv: AstNode, mode: LockMode, reason: string, relationKind?: RelationKind): void {
  const n = rangeVarName(rv, statement);
  addLock(b, { ...n, mode, reason, ...(relationKind ? { relationKind } : {}) });
}

function version(ctx: LockModelContext): number {
  return ctx.serverVersionNum ?? 999999;
}

function defElemNames(options: AstNode[] | undefined): string[] {
  return (options ?? []).map((o: AstNode) => String(o.DefElem?.defname ?? '').toLowerCase());
}

/** Names of a DROP/COMMENT object: List of String → parts. */
function objectNameParts(object: AstNode): string[] {
  const items = object?.List?.items ?? (Array.isArray(object) ? object : []);
  return items.map((i: AstNode) => i.String?.sval ?? '').filter((s: string) => s !== '');
}

function splitQualified(parts: string[]): { table: string; schema?: string } {
  return parts.length > 1 ? { table: parts[parts.length - 1], schema: parts[parts.length - 2] } : { table: parts[0] };
}

/** Finds where a (possibly qualified) name is written in the statement: the offset of its last part. */
export function locateName(statement: ParsedStatement, parts: string[], fromOffset = statement.start): number | undefined {
  const tokens = tokenizeSql(statement.site.text, fromOffset, statement.end);
  const last = parts[parts.length - 1];
  for (let i = 0; i < tokens.length; i++) {
    if (!sameName(tokens[i], last)) continue;
    if (tokens[i + 1]?.type === 'punct' && tokens[i + 1].value === '.') continue;
    return tokens[i].start;
  }
  return undefined;
}

function sameName(token: SqlToken, name: string): boolean {
  if (token.type === 'word') return token.value === name.toLowerCase();
  if (token.type === 'ident') return token.value === name;
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// Queries: SELECT, INSERT, UPDATE, DELETE, MERGE (13.3.1: ACCESS SHARE for reads, ROW SHARE for
// SELECT FOR UPDATE/NO KEY UPDATE/SHARE/KEY SHARE, ROW EXCLUSIVE for the target of a data change).

function queryLocks(b: Builder, statement: ParsedStatement, root: AstNode): void {
  const cteNames = new Set<string>();
  walkAst({ root }, (type, body) => {
    if (type === 'CommonTableExpr' && body.ctename) cteNames.add(body.ctename);
  });
  const rowShare = new Set<AstNode>();
  const isCte = (rv: AstNode) => !rv.schemaname && cteNames.has(rv.relname);
  const visit = (type: string, body: AstNode): void | false => {
    // FOR UPDATE OF a: "a" names a relation (or alias) of the FROM list, it is not a relation reference itself.
    if (type === 'LockingClause') return false;
    if (type === 'InsertStmt' || type === 'UpdateStmt' || type === 'DeleteStmt' || type === 'MergeStmt') {
      if (body.relation && !isCte(body.relation)) {
        const verb = type.replace('Stmt', '').toUpperCase();
        lockRangeVar(b, statement, body.relation, 'RowExclusiveLock', `${verb} (target)`);
      }
    } else if (type === 'SelectStmt' && Array.isArray(body.lockingClause) && body.lockingClause.length > 0) {
      const named = new Set<string>();
      let all = false;
      for (const lc of body.lockingClause) {
        const rels = lc.LockingClause?.lockedRels ?? [];
        if (rels.length === 0) all = true;
        for (const r of rels) if (r.RangeVar?.relname) named.add(r.RangeVar.relname);
      }
      walkAst(body.fromClause ?? [], (t, rv) => {
        if (t === 'RangeSubselect' || t === 'RangeFunction') return false;
        if (t === 'RangeVar' && (all || named.has(rv.relname) || (rv.alias?.aliasname && named.has(rv.alias.aliasname)))) rowShare.add(rv);
      });
    } else if (type === 'RangeVar') {
      if (isCte(body)) return;
      if (rowShare.has(body)) lockRangeVar(b, statement, body, 'RowShareLock', 'SELECT ... FOR UPDATE/SHARE');
      else lockRangeVar(b, statement, body, 'AccessShareLock', 'read');
    }
  };
  walkAst({ root }, visit);
  if (b.locks.some((l) => l.mode === 'RowExclusiveLock')) {
    note(
      b,
      'Foreign-key checks also take ROW SHARE on referenced tables (SELECT ... FOR KEY SHARE), and ON DELETE/UPDATE actions ROW EXCLUSIVE on referencing tables; row locks on every changed row are held until the transaction ends.',
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// ALTER TABLE, per subcommand (ALTER TABLE reference page; tablecmds.c AlterTableGetLockLevel()).

interface CommandEffect {
  mode: LockMode;
  reason: string;
  rewrite?: boolean;
  scan?: boolean;
  notes?: string[];
  extra?: TableLock[];
  canRunInTransaction?: boolean;
}

/** Reloptions that ALTER TABLE ... SET (...) changes under SHARE UPDATE EXCLUSIVE (reloptions.c lockmode). */
const SHARE_UPDATE_EXCLUSIVE_RELOPTIONS = new Set([
  'fillfactor',
  'parallel_workers',
  'toast_tuple_target',
  'vacuum_index_cleanup',
  'vacuum_truncate',
  'log_autovacuum_min_duration',
  'autovacuum_enabled',
  'fastupdate',
  'gin_pending_list_limit',
  'pages_per_range',
  'autosummarize',
  'deduplicate_items',
]);

function reloptionMode(name: string): LockMode {
  const bare = name.replace(/^toast\./, '');
  if (SHARE_UPDATE_EXCLUSIVE_RELOPTIONS.has(bare) || bare.startsWith('autovacuum_')) return 'ShareUpdateExclusiveLock';
  return 'AccessExclusiveLock'; // user_catalog_table, security_barrier, security_invoker, check_option ...
}

/** The subcommand of an ALTER TABLE as people write it, for reasons and messages. */
export function describeAlterTableCommand(cmd: AstNode): string {
  const s: string = cmd.subtype ?? '';
  const c = cmd.def?.Constraint;
  if (s === 'AT_AddConstraint' && c) {
    const kind: Record<string, string> = {
      CONSTR_FOREIGN: 'FOREIGN KEY',
      CONSTR_CHECK: 'CHECK',
      CONSTR_UNIQUE: 'UNIQUE',
      CONSTR_PRIMARY: 'PRIMARY KEY',
      CONSTR_EXCLUSION: 'EXCLUDE',
    };
    return `ADD ${kind[c.contype] ?? 'CONSTRAINT'}${c.indexname ? ' USING INDEX' : ''}${c.skip_validation ? ' NOT VALID' : ''}`;
  }
  const names: Record<string, string> = {
    AT_AddColumn: 'ADD COLUMN',
    AT_DropColumn: 'DROP COLUMN',
    AT_AlterColumnType: 'ALTER COLUMN TYPE',
    AT_ColumnDefault: cmd.def ? 'ALTER COLUMN SET DEFAULT' : 'ALTER COLUMN DROP DEFAULT',
    AT_SetNotNull: 'ALTER COLUMN SET NOT NULL',
    AT_DropNotNull: 'ALTER COLUMN DROP NOT NULL',
    AT_ValidateConstraint: 'VALIDATE CONSTRAINT',
    AT_DropConstraint: 'DROP CONSTRAINT',
    AT_SetRelOptions: 'SET (...)',
    AT_ResetRelOptions: 'RESET (...)',
    AT_SetStatistics: 'ALTER COLUMN SET STATISTICS',
    AT_SetOptions: 'ALTER COLUMN SET (...)',
    AT_ResetOptions: 'ALTER COLUMN RESET (...)',
    AT_SetStorage: 'ALTER COLUMN SET STORAGE',
    AT_SetCompression: 'ALTER COLUMN SET COMPRESSION',
    AT_AttachPartition: 'ATTACH PARTITION',
    AT_DetachPartition: cmd.def?.PartitionCmd?.concurrent ? 'DETACH PARTITION CONCURRENTLY' : 'DETACH PARTITION',
    AT_DetachPartitionFinalize: 'DETACH PARTITION FINALIZE',
    AT_SetTableSpace: 'SET TABLESPACE',
    AT_ClusterOn: 'CLUSTER ON',
    AT_DropCluster: 'SET WITHOUT CLUSTER',
    AT_ChangeOwner: 'OWNER TO',
    AT_SetLogged: 'SET LOGGED',
    AT_SetUnLogged: 'SET UNLOGGED',
    AT_SetAccessMethod: 'SET ACCESS METHOD',
    AT_ReplicaIdentity: 'REPLICA IDENTITY',
    AT_EnableRowSecurity: 'ENABLE ROW LEVEL SECURITY',
    AT_DisableRowSecurity: 'DISABLE ROW LEVEL SECURITY',
    AT_ForceRowSecurity: 'FORCE ROW LEVEL SECURITY',
    AT_NoForceRowSecurity: 'NO FORCE ROW LEVEL SECURITY',
    AT_AddInherit: 'INHERIT',
    AT_DropInherit: 'NO INHERIT',
    AT_AddIdentity: 'ADD GENERATED AS IDENTITY',
    AT_SetIdentity: 'SET GENERATED',
    AT_DropIdentity: 'DROP IDENTITY',
    AT_DropExpression: 'DROP EXPRESSION',
    AT_AlterConstraint: 'ALTER CONSTRAINT',
  };
  if (names[s]) return names[s];
  if (/^AT_(Enable|Disable)(Trig|AlwaysTrig|ReplicaTrig)/.test(s)) return s.startsWith('AT_Enable') ? 'ENABLE TRIGGER' : 'DISABLE TRIGGER';
  if (/^AT_(Enable|Disable)(Rule|AlwaysRule|ReplicaRule)/.test(s)) return s.startsWith('AT_Enable') ? 'ENABLE RULE' : 'DISABLE RULE';
  return s.replace(/^AT_/, '');
}

/** What earlier statements of the file say about tables, columns and constraints. */
export interface FileHistory {
  /** "schema.name" or "name" of tables, materialized views and indexes created earlier in the file. */
  createdTables: Set<string>;
  createdIndexes: Map<string, { table: string; schema?: string }>;
  /** "table.column" → type, from CREATE TABLE and ADD COLUMN earlier in the file. */
  columnTypes: Map<string, ColumnType>;
  /** Foreign keys added earlier by name → referenced table. */
  foreignKeys: Map<string, { table: string; schema?: string }>;
  /** Validated CHECK (col IS NOT NULL) constraints: "table.column". */
  validatedNotNullChecks: Set<string>;
  /** NOT VALID CHECK (col IS NOT NULL) constraints by name → "table.column" (validated by a later VALIDATE). */
  notValidNotNullChecks: Map<string, string>;
  /** A SET lock_timeout to a non-zero value was seen. */
  lockTimeoutSet: boolean;
  /** An explicit BEGIN not yet closed by COMMIT/ROLLBACK. */
  openTransaction: boolean;
  /** Counts explicit COMMIT/ROLLBACK (and BEGIN): statements with the same count run in the same transaction when the file's statements share one. */
  transactionSegment: number;
  /** Constraints added NOT VALID earlier in the file, by name, with the segment they were added in. */
  notValidConstraints: Map<string, { table: string; schema?: string; segment: number; foreignKey: boolean }>;
}

export function relationKey(table: string, schema?: string): string {
  return schema ? `${schema}.${table}` : table;
}

/** True if `table` was created earlier in the file (matching with or without schema). */
export function createdEarlier(history: FileHistory, table: string, schema?: string): boolean {
  return history.createdTables.has(relationKey(table, schema)) || (!!schema && schema === 'public' && history.createdTables.has(table)) || (!schema && history.createdTables.has(`public.${table}`));
}

export function emptyFileHistory(): FileHistory {
  return {
    createdTables: new Set(),
    createdIndexes: new Map(),
    columnTypes: new Map(),
    foreignKeys: new Map(),
    validatedNotNullChecks: new Set(),
    notValidNotNullChecks: new Map(),
    lockTimeoutSet: false,
    openTransaction: false,
    transactionSegment: 0,
    notValidConstraints: new Map(),
  };
}

export function fileHistory(previous: ParsedStatement[] | undefined): FileHistory {
  const h = emptyFileHistory();
  for (const s of previous ?? []) addToFileHistory(h, s);
  return h;
}

/** The tables a query builder created before the statement's site (SqlSite.tablesCreatedBefore) are created earlier too. */
export function addTablesCreatedByBuilders(h: FileHistory, s: ParsedStatement): void {
  for (const table of s.site.tablesCreatedBefore ?? []) h.createdTables.add(table);
}

/** Folds one more statement of the file into its history (statements in file order). */
export function addToFileHistory(h: FileHistory, s: ParsedStatement): void {
  addTablesCreatedByBuilders(h, s);
  {
    const n = s.node[s.kind];
    switch (s.kind) {
      case 'CreateStmt': {
        h.createdTables.add(relationKey(n.relation.relname, n.relation.schemaname));
        for (const elt of n.tableElts ?? []) {
          const col = elt.ColumnDef;
          if (col?.typeName) h.columnTypes.set(`${n.relation.relname}.${col.colname}`, columnTypeFromAst(col.typeName));
        }
        break;
      }
      case 'CreateTableAsStmt': {
        const rel = n.into?.rel;
        if (rel) h.createdTables.add(relationKey(rel.relname, rel.schemaname));
        break;
      }
      case 'IndexStmt':
        if (n.idxname) h.createdIndexes.set(n.idxname, { table: n.relation.relname, schema: n.relation.schemaname });
        break;
      case 'AlterTableStmt': {
        const table = n.relation?.relname;
        for (const c of n.cmds ?? []) {
          const cmd = c.AlterTableCmd;
          if (!cmd) continue;
          if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef?.typeName) {
            h.columnTypes.set(`${table}.${cmd.def.ColumnDef.colname}`, columnTypeFromAst(cmd.def.ColumnDef.typeName));
          } else if (cmd.subtype === 'AT_AlterColumnType' && cmd.def?.ColumnDef?.typeName) {
            h.columnTypes.set(`${table}.${cmd.name}`, columnTypeFromAst(cmd.def.ColumnDef.typeName));
          } else if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) {
            const con = cmd.def.Constraint;
            if (con.skip_validation && con.conname && table) {
              h.notValidConstraints.set(con.conname, { table, schema: n.relation?.schemaname, segment: h.transactionSegment, foreignKey: con.contype === 'CONSTR_FOREIGN' });
            }
            if (con.contype === 'CONSTR_FOREIGN' && con.conname && con.pktable) {
              h.foreignKeys.set(con.conname, { table: con.pktable.relname, schema: con.pktable.schemaname });
            } else if (con.contype === 'CONSTR_CHECK') {
              const column = isNotNullCheck(con.raw_expr);
              if (column) {
                if (con.skip_validation) {
                  if (con.conname) h.notValidNotNullChecks.set(con.conname, `${table}.${column}`);
                } else h.validatedNotNullChecks.add(`${table}.${column}`);
              }
            }
          } else if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
            const key = h.notValidNotNullChecks.get(cmd.name);
            if (key) h.validatedNotNullChecks.add(key);
          }
        }
        break;
      }
      case 'VariableSetStmt':
        if (n.name === 'lock_timeout') h.lockTimeoutSet = n.kind === 'VAR_SET_VALUE' && !isZeroSetting(n.args);
        break;
      case 'SelectStmt': {
        // SELECT set_config('lock_timeout', '5s', false). The text says whether the tree is worth walking: the history
        // of a file of 200 queries is folded again on every edit in the editor.
        if (!/set_config/i.test(s.text)) break;
        walkAst(n, (type, body) => {
          if (type === 'FuncCall' && body.funcname?.at(-1)?.String?.sval === 'set_config') {
            const first = body.args?.[0]?.A_Const?.sval?.sval;
            const value = body.args?.[1]?.A_Const?.sval?.sval;
            if (first === 'lock_timeout') h.lockTimeoutSet = value !== undefined && !/^0+\s*(ms|s|min)?$/.test(value.trim());
          }
        });
        break;
      }
      case 'TransactionStmt':
        // Only a .sql file runs top to bottom; BEGIN in application code says nothing about a query elsewhere in the file.
        if (s.site.origin !== 'sql-file') break;
        if (n.kind === 'TRANS_STMT_BEGIN' || n.kind === 'TRANS_STMT_START') {
          h.openTransaction = true;
          h.transactionSegment++;
        } else if (n.kind === 'TRANS_STMT_COMMIT' || n.kind === 'TRANS_STMT_ROLLBACK') {
          h.openTransaction = false;
          h.transactionSegment++;
        }
        break;
    }
  }
}

function isZeroSetting(args: AstNode[] | undefined): boolean {
  const a = args?.[0]?.A_Const;
  if (!a) return false;
  if (a.ival !== undefined) return (a.ival.ival ?? 0) === 0;
  const s: string | undefined = a.sval?.sval;
  return s !== undefined && /^0+\s*(ms|s|min)?$/.test(s.trim());
}

/** `CHECK (col IS NOT NULL)` → "col". */
function isNotNullCheck(expr: AstNode): string | undefined {
  const test = expr?.NullTest;
  if (!test || test.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = test.arg?.ColumnRef?.fields ?? [];
  return fields.at(-1)?.String?.sval;
}

function currentColumnType(ctx: LockModelContext, history: FileHistory, table: string, column: string, schema?: string): ColumnType | undefined {
  const fromFile = history.columnTypes.get(`${table}.${column}`);
  if (fromFile) return fromFile;
  const fromDb = ctx.columnType?.(table, column, schema);
  return fromDb ? columnTypeFromText(fromDb) : undefined;
}

export interface ColumnTypeChange {
  column: string;
  from?: ColumnType;
  to: ColumnType;
  rewrite: boolean;
  /** Why pglens decided so. */
  explanation: string;
}

/** Decides whether ALTER COLUMN ... TYPE rewrites (see columnTypes.ts). */
export function columnTypeChange(
  cmd: AstNode,
  table: string,
  schema: string | undefined,
  ctx: LockModelContext,
  history: FileHistory,
): ColumnTypeChange {
  const def = cmd.def?.ColumnDef;
  const to = columnTypeFromAst(def.typeName);
  const from = currentColumnType(ctx, history, table, cmd.name, schema);
  const using = def.raw_default;
  const usingIsColumn = (() => {
    if (!using) return true;
    let e = using;
    if (e.TypeCast) e = e.TypeCast.arg;
    return e.ColumnRef?.fields?.length === 1 && e.ColumnRef.fields[0].String?.sval === cmd.name;
  })();
  if (!from) {
    return {
      column: cmd.name,
      to,
      rewrite: true,
      explanation: `pglens does not know the current type of ${table}.${cmd.name} (connect a database for it); the table is rewritten unless the change is binary-coercible (e.g. varchar(n) to text or a longer varchar)`,
    };
  }
  const coercible = usingIsColumn && isBinaryCoercibleChange(from, to);
  return {
    column: cmd.name,
    from,
    to,
    rewrite: !coercible,
    explanation: coercible
      ? `${formatColumnType(from)} to ${formatColumnType(to)} is binary-coercible: no rewrite`
      : `${formatColumnType(from)} to ${formatColumnType(to)} ${usingIsColumn ? 'is not binary-coercible' : 'changes the values (USING)'}: the table and its indexes are rewritten`,
  };
}

export interface AddColumnDefault {
  /** The table is rewritten to fill the new column. */
  rewrite: boolean;
  why?: string;
  /** Location (UTF-8 bytes) of what causes it: the volatile call, the serial type, the IDENTITY/GENERATED clause. */
  location?: number;
  volatileFunction?: string;
}

/** Whether ADD COLUMN rewrites the table (PG 11+: only for volatile defaults, identity, stored generated, serial). */
export function addColumnRewrite(colDef: AstNode, serverVersionNum: number | undefined, catalog?: CatalogVolatility): AddColumnDefault {
  const v = serverVersionNum ?? 999999;
  const typeName = colDef.typeName?.names?.at(-1)?.String?.sval?.toLowerCase();
  if (typeName && SERIAL_TYPES.has(typeName)) {
    return { rewrite: true, why: `${typeName} means DEFAULT nextval(...), which is volatile`, location: colDef.typeName.location, volatileFunction: 'nextval' };
  }
  for (const c of colDef.constraints ?? []) {
    const con = c.Constraint;
    if (!con) continue;
    if (con.contype === 'CONSTR_IDENTITY') {
      return { rewrite: true, why: 'an identity column gets a value from its sequence for every existing row', location: con.location, volatileFunction: 'nextval' };
    }
    if (con.contype === 'CONSTR_GENERATED') {
      return { rewrite: true, why: 'a stored generated column is computed for every existing row', location: con.location };
    }
    if (con.contype === 'CONSTR_DEFAULT' && con.raw_expr) {
      const isNull = con.raw_expr.A_Const?.isnull === true;
      if (isNull) continue;
      const vol = expressionVolatility(con.raw_expr, { catalog });
      if (vol.volatility === 'volatile') {
        const call = vol.volatileCalls[0];
        return {
          rewrite: true,
          why: call?.known === false
            ? `the default calls ${call.name}(), which pglens does not know; functions are VOLATILE unless declared otherwise`
            : `the default ${call ? `${call.name}() ` : ''}is volatile: every existing row needs its own value`,
          location: call?.location ?? con.location,
          volatileFunction: call?.name,
        };
      }
      if (v < PG11) return { rewrite: true, why: 'before PostgreSQL 11 any non-null default rewrites the table', location: con.location };
    }
  }
  return { rewrite: false };
}

function alterTableCommand(
  cmd: AstNode,
  rel: { table: string; schema?: string },
  statement: ParsedStatement,
  ctx: LockModelContext,
  history: FileHistory,
): CommandEffect {
  const subtype: string = cmd.subtype ?? '';
  const what = `ALTER TABLE ... ${describeAlterTableCommand(cmd)}`;
  const v = version(ctx);
  switch (subtype) {
    case 'AT_AddColumn': {
      const col = cmd.def?.ColumnDef ?? {};
      const r = addColumnRewrite(col, ctx.serverVersionNum, ctx.catalogVolatility);
      const effect: CommandEffect = { mode: 'AccessExclusiveLock', reason: what, rewrite: r.rewrite, scan: r.rewrite, notes: [], extra: [] };
      if (r.why) effect.notes!.push(`Rewrites the table: ${r.why}.`);
      for (const c of col.constraints ?? []) {
        const con = c.Constraint;
        if (!con) continue;
        if (con.contype === 'CONSTR_FOREIGN' && con.pktable) {
          effect.extra!.push({
            ...rangeVarName(con.pktable, statement),
            mode: 'ShareRowExclusiveLock',
            reason: `${what} REFERENCES (referenced table)`,
          });
        } else if (con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY') {
          effect.scan = true;
          effect.notes!.push(`The ${con.contype.replace('CONSTR_', '')} constraint is checked or indexed over every existing row.`);
        }
      }
      return effect;
    }
    case 'AT_AlterColumnType': {
      const change = columnTypeChange(cmd, rel.table, rel.schema, ctx, history);
      return { mode: 'AccessExclusiveLock', reason: what, rewrite: change.rewrite, scan: change.rewrite, notes: [`${change.explanation}.`] };
    }
    case 'AT_SetNotNull': {
      const proven = v >= PG12 && history.validatedNotNullChecks.has(`${rel.table}.${cmd.name}`);
      return {
        mode: 'AccessExclusiveLock',
        reason: what,
        scan: !proven,
        notes: [
          proven
            ? 'A validated CHECK (... IS NOT NULL) earlier in the file proves the column has no NULLs: no scan (PostgreSQL 12+).'
            : 'Scans the whole table for NULLs while holding the lock (skipped on PostgreSQL 12+ when a validated CHECK (col IS NOT NULL) exists).',
        ],
      };
    }
    case 'AT_AddConstraint': {
      const con = cmd.def?.Constraint ?? {};
      if (con.contype === 'CONSTR_FOREIGN') {
        const extra: TableLock[] = con.pktable
          ? [{ ...rangeVarName(con.pktable, statement), mode: 'ShareRowExclusiveLock', reason: `${what} (referenced table)` }]
          : [];
        return {
          mode: 'ShareRowExclusiveLock',
          reason: what,
          scan: !con.skip_validation,
          extra,
          notes: con.skip_validation
            ? ['NOT VALID: existing rows are not checked now; VALIDATE CONSTRAINT later takes only SHARE UPDATE EXCLUSIVE (ROW SHARE on the referenced table).']
            : ['Checks every existing row against the referenced table while both locks are held.'],
        };
      }
      if (con.contype === 'CONSTR_CHECK') {
        return {
          mode: 'AccessExclusiveLock',
          reason: what,
          scan: !con.skip_validation,
          notes: con.skip_validation
            ? ['NOT VALID: existing rows are not checked now; VALIDATE CONSTRAINT later takes only SHARE UPDATE EXCLUSIVE.']
            : ['Checks every existing row while the lock is held.'],
        };
      }
      if (con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_EXCLUSION') {
        if (con.indexname) {
          return {
            mode: 'AccessExclusiveLock',
            reason: what,
            notes: [
              `Uses the existing index ${con.indexname}: the lock is held only briefly${con.contype === 'CONSTR_PRIMARY' ? ' (a primary key also sets NOT NULL on its columns, which scans the table unless they already are NOT NULL)' : ''}.`,
            ],
          };
        }
        return { mode: 'AccessExclusiveLock', reason: what, scan: true, notes: ['Builds the index while the lock is held.'] };
      }
      return { mode: 'AccessExclusiveLock', reason: what };
    }
    case 'AT_ValidateConstraint': {
      const fk = history.foreignKeys.get(cmd.name) ?? ctx.foreignKeyTarget?.(cmd.name, rel.table, rel.schema);
      return {
        mode: 'ShareUpdateExclusiveLock',
        reason: what,
        scan: true,
        extra: fk ? [{ ...fk, mode: 'RowShareLock', reason: `${what} (referenced table of ${cmd.name})` }] : [],
        notes: fk || ctx.foreignKeyTarget ? [] : ['If it is a foreign key, the referenced table also gets ROW SHARE.'],
      };
    }
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions': {
      let mode: LockMode = 'AccessShareLock';
      for (const item of cmd.def?.List?.items ?? []) {
        const d = item.DefElem;
        if (!d) continue;
        const name = d.defnamespace ? `${d.defnamespace}.${d.defname}` : d.defname;
        mode = strongerLock(mode, reloptionMode(String(name)));
      }
      return { mode: mode === 'AccessShareLock' ? 'ShareUpdateExclusiveLock' : mode, reason: what };
    }
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
      return { mode: 'ShareUpdateExclusiveLock', reason: what };
    case 'AT_AttachPartition': {
      const part = cmd.def?.PartitionCmd?.name;
      const extra: TableLock[] = part
        ? [{ ...rangeVarName(part, statement), mode: 'AccessExclusiveLock', reason: `${what} (the partition being attached)` }]
        : [];
      return {
        mode: v >= PG12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock',
        reason: what,
        scan: true,
        extra,
        notes: [
          'Scans the new partition to check its rows fit the bound, unless a valid CHECK constraint already proves it; a default partition, if any, is also locked ACCESS EXCLUSIVE and scanned.',
        ],
      };
    }
    case 'AT_DetachPartition': {
      const concurrent = cmd.def?.PartitionCmd?.concurrent === true;
      const part = cmd.def?.PartitionCmd?.name;
      const mode: LockMode = concurrent && v >= PG14 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
      return {
        mode,
        reason: what,
        canRunInTransaction: !concurrent,
        extra: part ? [{ ...rangeVarName(part, statement), mode, reason: `${what} (the partition)` }] : [],
        notes: concurrent
          ? ['DETACH PARTITION CONCURRENTLY (PostgreSQL 14+) runs in two transactions with SHARE UPDATE EXCLUSIVE and cannot run inside a transaction block.']
          : [],
      };
    }
    case 'AT_DetachPartitionFinalize':
      return { mode: 'ShareUpdateExclusiveLock', reason: what };
    case 'AT_SetTableSpace':
      return { mode: 'AccessExclusiveLock', reason: what, rewrite: true, scan: true, notes: ['Copies the table files to the new tablespace while the lock is held.'] };
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetAccessMethod':
      return { mode: 'AccessExclusiveLock', reason: what, rewrite: true, scan: true };
    default:
      if (/^AT_(Enable|Disable)(Trig|AlwaysTrig|ReplicaTrig)/.test(subtype)) return { mode: 'ShareRowExclusiveLock', reason: what };
      if (subtype === 'AT_DropConstraint') {
        return {
          mode: 'AccessExclusiveLock',
          reason: what,
          notes: ['Dropping a foreign key also takes ACCESS EXCLUSIVE on the referenced table (its triggers are removed).'],
        };
      }
      // "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted" (ALTER TABLE, Description).
      return { mode: 'AccessExclusiveLock', reason: what };
  }
}

/**
 * Index expressions and predicates must be IMMUTABLE (CREATE INDEX, Notes): a stable or volatile function, or a
 * stable cast of a column (timestamptz to date), makes CREATE INDEX fail. Volatility from the catalogue when
 * connected, else PostgreSQL 15's pg_proc / pg_cast (volatility.ts).
 */
function indexExpressionVolatility(b: Builder, n: AstNode, ctx: LockModelContext, history: FileHistory): void {
  const table: string | undefined = n.relation?.relname;
  const columnType = (column: string): string | undefined => {
    if (!table) return undefined;
    const fromFile = history.columnTypes.get(`${table}.${column}`);
    return fromFile ? formatColumnType(fromFile) : ctx.columnType?.(table, column, n.relation?.schemaname ?? undefined);
  };
  const parts: AstNode[] = [...((n.indexParams ?? []) as AstNode[]).map((p) => p.IndexElem?.expr).filter(Boolean), ...(n.whereClause ? [n.whereClause] : [])];
  for (const expr of parts) {
    const v = expressionVolatility(expr, { catalog: ctx.catalogVolatility, columnType });
    if (v.volatility === 'immutable') continue;
    const culprit = v.volatileCalls[0] ?? v.stableCalls[0];
    const unknown = v.volatileCalls[0] && !v.volatileCalls[0].known;
    note(
      b,
      unknown
        ? `The index expression calls ${culprit?.name}(), which pglens does not know: CREATE INDEX fails unless it is IMMUTABLE.`
        : `CREATE INDEX fails: ${culprit ? `${culprit.name}${culprit.name.includes('::') ? '' : '()'} is ${v.volatility.toUpperCase()}` : `the expression is ${v.volatility.toUpperCase()}`}, and functions in an index expression or predicate must be IMMUTABLE.`,
    );
  }
}

/**
 * DROP TABLE and foreign keys: the tables it references lose the FK's triggers (ACCESS EXCLUSIVE on each), and with
 * CASCADE the tables that reference it lose their FK constraints (ACCESS EXCLUSIVE on each); without CASCADE such a
 * reference makes the DROP fail (DROP TABLE reference page: "RESTRICT ... refuse to drop the table if any objects
 * depend on it"; the lock modes are checked against pg_locks by test/locks/lockModel.server.test.ts).
 */
function dropTableForeignKeys(b: Builder, ctx: LockModelContext, name: { table: string; schema?: string }, cascade: boolean): void {
  if (!ctx.referencedTables) {
    note(b, 'Also takes ACCESS EXCLUSIVE on tables it references by foreign key (their triggers are removed).');
  } else {
    for (const r of ctx.referencedTables(name.table, name.schema)) {
      if (r.table === name.table && (r.schema ?? '') === (name.schema ?? '')) continue;
      addLock(b, { table: r.table, ...(r.schema ? { schema: r.schema } : {}), mode: 'AccessExclusiveLock', reason: `DROP TABLE ${name.table} (referenced by its foreign key ${r.constraint})` });
    }
  }
  const referencing = (ctx.referencingTables?.(name.table, name.schema) ?? []).filter((r) => !(r.table === name.table && (r.schema ?? '') === (name.schema ?? '')));
  if (referencing.length === 0) return;
  if (cascade) {
    for (const r of referencing) {
      addLock(b, { table: r.table, ...(r.schema ? { schema: r.schema } : {}), mode: 'AccessExclusiveLock', reason: `DROP TABLE ${name.table} CASCADE (drops the foreign key ${r.constraint} of ${r.table}, which references it)` });
    }
  } else {
    note(b, `Fails unless CASCADE: ${referencing.map((r) => `${r.table} (${r.constraint})`).join(', ')} reference${referencing.length === 1 ? 's' : ''} ${name.table} by foreign key.`);
  }
}

function relationKindOf(objtype: string | undefined): RelationKind {
  switch (objtype) {
    case 'OBJECT_INDEX':
      return 'index';
    case 'OBJECT_VIEW':
      return 'view';
    case 'OBJECT_MATVIEW':
      return 'materialized view';
    case 'OBJECT_SEQUENCE':
      return 'sequence';
    default:
      return 'table';
  }
}

function indexOwner(ctx: LockModelContext, history: FileHistory, index: string, schema?: string): { table: string; schema?: string } | undefined {
  return history.createdIndexes.get(index) ?? ctx.indexTable?.(index, schema);
}

/** Statements that take no lock on an existing table (or only on objects they create, which nobody else sees yet). */
const NO_TABLE_LOCK_KINDS = new Set([
  'TransactionStmt',
  'VariableSetStmt',
  'VariableShowStmt',
  'DiscardStmt',
  'CheckPointStmt',
  'NotifyStmt',
  'ListenStmt',
  'UnlistenStmt',
  'PrepareStmt',
  'DeallocateStmt',
  'CreateSchemaStmt',
  'CreateExtensionStmt',
  'CreateFunctionStmt',
  'CreateSeqStmt',
  'CreateEnumStmt',
  'CompositeTypeStmt',
  'CreateDomainStmt',
  'DefineStmt',
  'CreateRoleStmt',
  'AlterRoleStmt',
  'GrantRoleStmt',
  'AlterDefaultPrivilegesStmt',
  'CreatedbStmt',
  'DropdbStmt',
  'CreateTableSpaceStmt',
  'DropTableSpaceStmt',
  'AlterSystemStmt',
  'AlterEnumStmt',
]);

// ---------------------------------------------------------------------------------------------------------

export function locksForStatement(statement: ParsedStatement, context: LockModelContext = {}): StatementLocks {
  const b = newBuilder();
  const history = context.history ?? fileHistory(context.previousStatements);
  statementLocks(b, statement, statement.kind, statement.node[statement.kind], context, history);
  if (history.openTransaction && b.locks.length > 0) {
    note(b, 'Runs inside the transaction opened by BEGIN earlier in the file: these locks, and those of the statements before it in that transaction, are held until COMMIT.');
  }
  return { locks: b.locks, rewrite: b.rewrite, scan: b.scan, notes: b.notes, canRunInTransaction: b.canRunInTransaction };
}

function statementLocks(b: Builder, statement: ParsedStatement, kind: string, n: AstNode, ctx: LockModelContext, history: FileHistory): void {
  const v = version(ctx);
  switch (kind) {
    case 'SelectStmt':
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      queryLocks(b, statement, { [kind]: n });
      if ((kind === 'UpdateStmt' || kind === 'DeleteStmt') && !n.whereClause) {
        b.scan = true;
        note(b, `${kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE'} without WHERE: every row of the table is changed and row-locked until the transaction ends.`);
      }
      return;
    }
    case 'ExplainStmt': {
      const q = n.query;
      const k = Object.keys(q)[0];
      statementLocks(b, statement, k, q[k], ctx, history);
      return;
    }
    case 'CopyStmt': {
      if (n.relation) lockRangeVar(b, statement, n.relation, n.is_from ? 'RowExclusiveLock' : 'AccessShareLock', n.is_from ? 'COPY ... FROM' : 'COPY ... TO');
      else if (n.query) queryLocks(b, statement, n.query);
      return;
    }
    case 'IndexStmt': {
      const concurrent = n.concurrent === true;
      lockRangeVar(b, statement, n.relation, concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock', concurrent ? 'CREATE INDEX CONCURRENTLY' : 'CREATE INDEX');
      b.scan = true;
      if (concurrent) {
        b.canRunInTransaction = false;
        note(b, 'CREATE INDEX CONCURRENTLY scans the table twice and waits for running transactions, without blocking writes; it cannot run inside a transaction block.');
      } else note(b, 'Reads the whole table to build the index while writes are blocked.');
      indexExpressionVolatility(b, n, ctx, history);
      return;
    }
    case 'DropStmt': {
      const type: string = n.removeType;
      const concurrent = n.concurrent === true;
      for (const obj of n.objects ?? []) {
        const parts = objectNameParts(obj);
        if (parts.length === 0) continue;
        const name = splitQualified(parts);
        const location = locateName(statement, parts);
        if (type === 'OBJECT_INDEX') {
          const mode: LockMode = concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
          const reason = concurrent ? 'DROP INDEX CONCURRENTLY' : 'DROP INDEX';
          const owner = indexOwner(ctx, history, name.table, name.schema);
          if (owner) addLock(b, { ...owner, mode, reason: `${reason} (table of ${name.table})` });
          else note(b, `${reason} takes ${lockDisplayName(mode)} on the table of ${name.table} too; pglens does not know which table that is (connect a database).`);
          // Without the table's name the index's own lock says what it costs: the table is locked the same way.
          addLock(b, { ...name, mode, reason: owner || concurrent ? reason : `${reason}: ${lockDisplayName(mode)} on its table too, every read and write of the table waits`, relationKind: 'index', location });
          if (concurrent) {
            b.canRunInTransaction = false;
            note(b, 'DROP INDEX CONCURRENTLY waits for running transactions instead of blocking them; it cannot run inside a transaction block.');
          }
        } else if (type === 'OBJECT_TABLE' || type === 'OBJECT_VIEW' || type === 'OBJECT_MATVIEW' || type === 'OBJECT_SEQUENCE' || type === 'OBJECT_FOREIGN_TABLE') {
          addLock(b, { ...name, mode: 'AccessExclusiveLock', reason: `DROP ${type.replace('OBJECT_', '').replace('MATVIEW', 'MATERIALIZED VIEW').replace('_', ' ')}`, relationKind: relationKindOf(type), location });
          if (type === 'OBJECT_TABLE') dropTableForeignKeys(b, ctx, name, n.behavior === 'DROP_CASCADE');
        }
      }
      return;
    }
    case 'ReindexStmt': {
      const concurrent = defElemNames(n.params).includes('concurrently');
      const k: string = n.kind;
      const tableMode: LockMode = concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock';
      const reason = `REINDEX${concurrent ? ' CONCURRENTLY' : ''}`;
      if (concurrent) b.canRunInTransaction = false;
      b.scan = true;
      if (k === 'REINDEX_OBJECT_INDEX' && n.relation) {
        const idx = rangeVarName(n.relation, statement);
        const owner = indexOwner(ctx, history, idx.table, idx.schema);
        if (owner) addLock(b, { ...owner, mode: tableMode, reason: `${reason} INDEX (table of ${idx.table})` });
        else note(b, `${reason} INDEX takes ${lockDisplayName(tableMode)} on the index's table; pglens does not know which table that is (connect a database).`);
        addLock(b, { ...idx, mode: concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', reason: `${reason} INDEX`, relationKind: 'index' });
      } else if (k === 'REINDEX_OBJECT_TABLE' && n.relation) {
        lockRangeVar(b, statement, n.relation, tableMode, `${reason} TABLE`);
        if (!concurrent) note(b, 'Each index of the table is also locked ACCESS EXCLUSIVE while it is rebuilt: queries that would use it wait.');
      } else {
        b.canRunInTransaction = false;
        note(b, `${reason} of a whole schema or database locks each table in turn and cannot run inside a transaction block.`);
      }
      if (concurrent) note(b, 'REINDEX CONCURRENTLY builds a new index without blocking writes; it cannot run inside a transaction block.');
      return;
    }
    case 'AlterTableStmt': {
      if (!n.relation) return;
      const rel = rangeVarName(n.relation, statement);
      const kindOfRel = relationKindOf(n.objtype);
      let mode: LockMode | undefined;
      const reasons: string[] = [];
      for (const c of n.cmds ?? []) {
        const cmd = c.AlterTableCmd;
        if (!cmd) continue;
        const effect = alterTableCommand(cmd, rel, statement, ctx, history);
        mode = mode ? strongerLock(mode, effect.mode) : effect.mode;
        if (effect.mode === mode) reasons.unshift(effect.reason);
        else reasons.push(effect.reason);
        if (effect.rewrite) b.rewrite = true;
        if (effect.scan) b.scan = true;
        if (effect.canRunInTransaction === false) b.canRunInTransaction = false;
        for (const x of effect.notes ?? []) note(b, x);
        for (const x of effect.extra ?? []) addLock(b, x);
      }
      if (mode) {
        const reason = reasons[0] ?? 'ALTER TABLE';
        // The table itself first: it is what people look for.
        const before = b.locks.length;
        addLock(b, { ...rel, mode, reason, ...(kindOfRel !== 'table' ? { relationKind: kindOfRel } : {}) });
        if (b.locks.length > before) b.locks.unshift(b.locks.pop()!);
      }
      return;
    }
    case 'RenameStmt': {
      const type: string = n.renameType;
      if (!n.relation) return;
      const rel = rangeVarName(n.relation, statement);
      if (type === 'OBJECT_INDEX') {
        addLock(b, { ...rel, mode: v >= PG12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', reason: 'ALTER INDEX ... RENAME', relationKind: 'index' });
      } else {
        const what = type === 'OBJECT_COLUMN' ? 'RENAME COLUMN' : type === 'OBJECT_TABCONSTRAINT' ? 'RENAME CONSTRAINT' : 'RENAME';
        addLock(b, { ...rel, mode: 'AccessExclusiveLock', reason: `ALTER TABLE ... ${what}`, relationKind: type === 'OBJECT_TABLE' || type === 'OBJECT_COLUMN' || type === 'OBJECT_TABCONSTRAINT' ? undefined : relationKindOf(type) });
      }
      return;
    }
    case 'AlterObjectSchemaStmt': {
      if (n.relation) lockRangeVar(b, statement, n.relation, 'AccessExclusiveLock', 'ALTER TABLE ... SET SCHEMA', n.objectType === 'OBJECT_TABLE' ? undefined : relationKindOf(n.objectType));
      return;
    }
    case 'TruncateStmt': {
      for (const r of n.relations ?? []) if (r.RangeVar) lockRangeVar(b, statement, r.RangeVar, 'AccessExclusiveLock', 'TRUNCATE');
      if (n.behavior === 'DROP_CASCADE') note(b, 'CASCADE also truncates, and locks ACCESS EXCLUSIVE, every table that references these by foreign key.');
      return;
    }
    case 'VacuumStmt': {
      const isVacuum = n.is_vacuumcmd === true;
      const opts = defElemNames(n.options);
      const full = isVacuum && opts.includes('full');
      const mode: LockMode = full ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock';
      const reason = isVacuum ? (full ? 'VACUUM FULL' : 'VACUUM') : 'ANALYZE';
      for (const r of n.rels ?? []) {
        const rel = r.VacuumRelation?.relation;
        if (rel) lockRangeVar(b, statement, rel, mode, reason);
      }
      if ((n.rels ?? []).length === 0) note(b, `${reason} without a table processes every table of the database, one at a time.`);
      if (isVacuum) {
        b.canRunInTransaction = false;
        b.scan = true;
        if (full) {
          b.rewrite = true;
          note(b, 'VACUUM FULL rewrites the whole table into a new file while blocking every read and write.');
        }
      }
      return;
    }
    case 'ClusterStmt': {
      if (n.relation) {
        lockRangeVar(b, statement, n.relation, 'AccessExclusiveLock', 'CLUSTER');
        b.rewrite = true;
        b.scan = true;
        note(b, 'CLUSTER rewrites the whole table in index order while blocking every read and write.');
      } else {
        b.canRunInTransaction = false;
        note(b, 'CLUSTER without a table re-clusters every previously clustered table, each under ACCESS EXCLUSIVE; it cannot run inside a transaction block.');
      }
      return;
    }
    case 'RefreshMatViewStmt': {
      const concurrent = n.concurrent === true;
      lockRangeVar(b, statement, n.relation, concurrent ? 'ExclusiveLock' : 'AccessExclusiveLock', concurrent ? 'REFRESH MATERIALIZED VIEW CONCURRENTLY' : 'REFRESH MATERIALIZED VIEW', 'materialized view');
      if (!n.skipData) {
        b.scan = true;
        if (!concurrent) b.rewrite = true;
      }
      note(b, 'The tables the view reads get ACCESS SHARE while its query runs.');
      return;
    }
    case 'LockStmt': {
      const mode = lockModeFromNumber(typeof n.mode === 'number' ? n.mode : 8);
      for (const r of n.relations ?? []) if (r.RangeVar) lockRangeVar(b, statement, r.RangeVar, mode, `LOCK TABLE ... IN ${lockDisplayName(mode)} MODE`);
      note(b, 'LOCK TABLE holds the lock until the transaction ends; it can only be used inside a transaction block.');
      return;
    }
    case 'CreateTrigStmt':
      if (n.relation) lockRangeVar(b, statement, n.relation, 'ShareRowExclusiveLock', 'CREATE TRIGGER');
      return;
    case 'RuleStmt':
      if (n.relation) lockRangeVar(b, statement, n.relation, 'AccessExclusiveLock', 'CREATE RULE');
      return;
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      if (n.table) lockRangeVar(b, statement, n.table, 'AccessExclusiveLock', kind === 'CreatePolicyStmt' ? 'CREATE POLICY' : 'ALTER POLICY');
      return;
    case 'CreateStatsStmt':
      for (const r of n.relations ?? []) if (r.RangeVar) lockRangeVar(b, statement, r.RangeVar, 'ShareUpdateExclusiveLock', 'CREATE STATISTICS');
      return;
    case 'CommentStmt': {
      const objtype: string = n.objtype;
      let parts = objectNameParts(n.object);
      if (objtype === 'OBJECT_COLUMN') parts = parts.slice(0, -1);
      if (['OBJECT_TABLE', 'OBJECT_COLUMN', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX', 'OBJECT_SEQUENCE'].includes(objtype) && parts.length > 0) {
        addLock(b, {
          ...splitQualified(parts),
          mode: 'ShareUpdateExclusiveLock',
          reason: `COMMENT ON ${objtype.replace('OBJECT_', '')}`,
          location: locateName(statement, parts),
          ...(objtype === 'OBJECT_TABLE' || objtype === 'OBJECT_COLUMN' ? {} : { relationKind: relationKindOf(objtype) }),
        });
      }
      return;
    }
    case 'GrantStmt':
      note(b, 'GRANT and REVOKE take no table-level lock: they update the table\'s catalog row (a concurrent GRANT on the same table waits for it).');
      return;
    case 'CreateStmt': {
      lockRangeVar(b, statement, n.relation, 'AccessExclusiveLock', 'CREATE TABLE (new table, invisible to others until commit)');
      for (const parent of n.inhRelations ?? []) {
        if (!parent.RangeVar) continue;
        if (n.partbound) lockRangeVar(b, statement, parent.RangeVar, 'AccessExclusiveLock', 'CREATE TABLE ... PARTITION OF (parent)');
        else lockRangeVar(b, statement, parent.RangeVar, 'ShareUpdateExclusiveLock', 'CREATE TABLE ... INHERITS (parent)');
      }
      const constraints: AstNode[] = [];
      for (const elt of n.tableElts ?? []) {
        if (elt.Constraint) constraints.push(elt.Constraint);
        for (const c of elt.ColumnDef?.constraints ?? []) if (c.Constraint) constraints.push(c.Constraint);
        if (elt.TableLikeClause?.relation) lockRangeVar(b, statement, elt.TableLikeClause.relation, 'AccessShareLock', 'CREATE TABLE ... LIKE');
      }
      for (const con of constraints) {
        if (con.contype === 'CONSTR_FOREIGN' && con.pktable && con.pktable.relname !== n.relation.relname) {
          lockRangeVar(b, statement, con.pktable, 'ShareRowExclusiveLock', 'CREATE TABLE ... REFERENCES (referenced table)');
        }
      }
      return;
    }
    case 'CreateTableAsStmt': {
      if (n.into?.rel) {
        const isView = n.objtype === 'OBJECT_MATVIEW';
        lockRangeVar(b, statement, n.into.rel, 'AccessExclusiveLock', isView ? 'CREATE MATERIALIZED VIEW (new)' : 'CREATE TABLE AS (new table)', isView ? 'materialized view' : undefined);
      }
      if (n.query) queryLocks(b, statement, n.query);
      return;
    }
    case 'ViewStmt': {
      lockRangeVar(b, statement, n.view, 'AccessExclusiveLock', n.replace ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW (new)', 'view');
      if (n.query) queryLocks(b, statement, n.query);
      return;
    }
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'AlterSystemStmt':
      b.canRunInTransaction = false;
      return;
    case 'AlterEnumStmt':
      if (v < PG12 && !n.oldVal) {
        b.canRunInTransaction = false;
        note(b, 'Before PostgreSQL 12, ALTER TYPE ... ADD VALUE cannot run inside a transaction block.');
      }
      return;
    case 'DoStmt':
      note(b, 'pglens cannot see the statements inside a DO block; their locks are not shown.');
      return;
    default:
      if (!NO_TABLE_LOCK_KINDS.has(kind)) note(b, `pglens does not model the locks of ${kind.replace(/Stmt$/, '')} statements.`);
      return;
  }
}

/** The strongest lock of a statement (for a one-line summary), or undefined when it takes none. */
export function strongestLockOf(locks: StatementLocks): TableLock | undefined {
  let best: TableLock | undefined;
  for (const l of locks.locks) if (!best || lockStrength(l.mode) > lockStrength(best.mode)) best = l;
  return best;
}

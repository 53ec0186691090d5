// Index candidates for one statement, read from its parse tree (exact column names, constants, expressions) and
// checked against its plan (which tables are really scanned, and how). Equality columns come first, then one range
// or the sort keys (a btree serves `=` on a prefix, then one range or the order), up to three key columns; partial
// indexes for predicates on constants; expression indexes for `lower(email)` or `payload ->> 'type'`;
// text_pattern_ops for prefix LIKE under a non-C collation; trigram GIN for `%x%`; GIN for jsonb containment;
// INCLUDE columns for an index-only scan.

import { findTable, indexesOf, type IndexFacts, type SchemaFacts, type TableFacts } from '../db/schemaFacts';
import type { AstNode, ParsedStatement } from '../parse/parse';
import { walkPlan, type PlanNode } from '../plan/model';
import { spanOfNode, visitObjects } from '../rules/anchor';
import { relationsOf } from '../rules/plan/function-on-indexed-column';
import { parseToJson } from '../parse/libpgQuery';
import { assertCreateIndex, GeneratedSqlError, isSystemColumn, quoteIdentifier, quoteQualifiedName, sameTree, scanTokens, withoutLocations, type SqlToken } from '../sqlText';
import { likePattern } from '../likePattern';

export type UseKind = 'eq' | 'range' | 'prefix-like' | 'contains-like' | 'jsonb-contains' | 'sort' | 'group';

/** One way the statement uses a column (or an expression over one column) of a table. */
export interface ColumnUse {
  kind: UseKind;
  /** Column name, or the expression without table qualifiers: "lower(email)", "payload ->> 'type'". */
  key: string;
  expression: boolean;
  /** The column under the expression (or the column itself). */
  column: string;
  /** `status = 'pending'`, `deleted_at IS NULL`: a predicate on constants that a partial index can hold. */
  constantPredicate?: string;
  descending?: boolean;
  /** Equality from a join condition (`o.account_id = a.id`). */
  join?: boolean;
  ilike?: boolean;
  /** Whether the predicate came from one arm of an OR. */
  orGroup?: number;
  /** The key as a parse tree (locations and column qualifiers left out): what the generated SQL must parse back to. */
  keyTree?: AstNode;
  /** The tree of `constantPredicate`, which its text was checked to parse back to. */
  predicateTree?: AstNode;
}

export interface TableUses {
  table: TableFacts;
  uses: ColumnUse[];
  /** Every column of the table the statement mentions (select list, predicates, order); undefined after `*`. */
  referencedColumns: Set<string> | undefined;
  /** Per OR in the predicates: each arm's uses of this table, kept when every arm constrains the table. */
  orArms: ColumnUse[][][];
  /** Columns of the primary key, the narrow key of a partial index that has nothing else to index. */
  primaryKey?: string[];
}

export type CandidateKind = 'single-column' | 'multi-column' | 'partial' | 'expression' | 'pattern-ops' | 'trigram' | 'jsonb-gin' | 'covering' | 'or-bitmap' | 'foreign-key';

export interface IndexKeySpec {
  text: string;
  expression: boolean;
  opclass?: string;
  descending?: boolean;
}

export interface IndexCandidate {
  schema: string;
  table: string;
  method: 'btree' | 'gin';
  keys: IndexKeySpec[];
  include: string[];
  predicate?: string;
  kinds: CandidateKind[];
  /** An extension the index needs (trigram operator classes). */
  needsExtension?: 'pg_trgm';
}

/** Tables smaller than this never get a suggestion: a scan of them is cheap. */
export const MIN_TABLE_ROWS = 10_000;

// ---------------------------------------------------------------------------------------------------------------
// Reading the statement

const RANGE_OPERATORS = new Set(['<', '>', '<=', '>=']);
const JSONB_GIN_OPERATORS = new Set(['@>', '?', '?|', '?&']);

interface Relation {
  name: string;
  schema?: string;
}

/** Per table of the statement: how each column is used. Only tables the schema knows are returned. */
export function readColumnUses(statement: ParsedStatement, schema: SchemaFacts): Map<string, TableUses> {
  const relations = relationsOf(statement);
  const byTable = new Map<string, TableUses>();
  const text = statement.site.text;
  // A system column (`ctid`, `xmin`) belongs to every table but no index can hold it: it is never a key or INCLUDE column.
  const tableOf = (qualifier: string | undefined, column: string): TableFacts | undefined =>
    isSystemColumn(column) ? undefined : resolveTable(schema, relations, qualifier, column);
  const entry = (table: TableFacts): TableUses => {
    const key = `${table.schema}.${table.name}`;
    let found = byTable.get(key);
    if (!found) {
      const primary = indexesOf(schema, table).find((i) => i.primary);
      found = { table, uses: [], referencedColumns: new Set(), orArms: [], primaryKey: primary?.keys };
      byTable.set(key, found);
    }
    return found;
  };
  for (const relation of relations.values()) {
    const table = findTable(schema, relation.name, relation.schema);
    if (table) entry(table);
  }

  // Every column mentioned, for INCLUDE and the exhaustive search; `*` or `t.*` means every column.
  visitObjects(statement.node, (body) => {
    const fields = body.fields as AstNode[] | undefined;
    if (!Array.isArray(fields) || body.location === undefined) return;
    const names = fields.map((f) => (f.String ? (f.String.sval as string) : f.A_Star ? '*' : ''));
    const last = names[names.length - 1];
    const qualifier = names.length > 1 ? names[names.length - 2] : undefined;
    if (last === '*') {
      if (qualifier) {
        const relation = relations.get(qualifier);
        const table = relation && findTable(schema, relation.name, relation.schema);
        if (table) entry(table).referencedColumns = undefined;
      } else for (const uses of byTable.values()) uses.referencedColumns = undefined;
      return;
    }
    const table = last ? tableOf(qualifier, last) : undefined;
    if (table) entry(table).referencedColumns?.add(last);
  });

  // Expressions are source slices cut on the scanner's token bounds, without comments and column qualifiers (an
  // index is on the table, not on an alias), kept only when they parse back to the query's own tree.
  let tokens: SqlToken[] | null | undefined;
  const sliceOf = (node: AstNode) => {
    if (tokens === undefined) tokens = scanTokens(text) ?? null;
    return tokens ? treeSlice(statement, tokens, node) : undefined;
  };

  /** A column, or an expression (function, cast, operator) over exactly one column and constants. */
  const columnSide = (node: AstNode): { table: TableFacts; column: string; key: string; expression: boolean; cast?: boolean; keyTree: AstNode } | undefined => {
    const ref = columnRef(node);
    if (ref) {
      const table = tableOf(ref.qualifier, ref.column);
      return table ? { table, column: ref.column, key: ref.column, expression: false, keyTree: columnTree(ref.column) } : undefined;
    }
    if (!node || typeof node !== 'object') return undefined;
    if (!(node.FuncCall || node.TypeCast || node.A_Expr || node.CoalesceExpr)) return undefined;
    const refs = collectColumnRefs(node);
    if (refs.length !== 1) return undefined;
    if (containsSubquery(node)) return undefined;
    const table = tableOf(refs[0].qualifier, refs[0].column);
    const slice = table ? sliceOf(node) : undefined;
    if (!table || !slice) return undefined;
    return { table, column: refs[0].column, key: slice.text, expression: true, cast: node.TypeCast !== undefined, keyTree: slice.tree };
  };

  let orCounter = 0;
  const addPredicate = (node: AstNode, orGroup?: number) => {
    if (!node || typeof node !== 'object') return;
    if (node.BoolExpr) {
      const args = (node.BoolExpr.args ?? []) as AstNode[];
      if (node.BoolExpr.boolop === 'AND_EXPR') for (const arg of args) addPredicate(arg, orGroup);
      else if (node.BoolExpr.boolop === 'OR_EXPR' && orGroup === undefined) {
        const group = ++orCounter;
        const arms: Map<TableUses, ColumnUse[]>[] = [];
        for (const arg of args) {
          const counts = new Map([...byTable.values()].map((t) => [t, t.uses.length]));
          addPredicate(arg, group);
          const arm = new Map<TableUses, ColumnUse[]>();
          for (const t of byTable.values()) if (t.uses.length > (counts.get(t) ?? 0)) arm.set(t, t.uses.slice(counts.get(t) ?? 0));
          arms.push(arm);
        }
        // Uses inside OR arms are not conjuncts (they carry orGroup): only a bitmap OR of one index per arm serves them.
        for (const t of byTable.values()) {
          if (arms.length > 1 && arms.every((arm) => arm.has(t))) t.orArms.push(arms.map((arm) => arm.get(t)!));
        }
      }
      return;
    }
    if (node.NullTest) {
      const side = columnSide(node.NullTest.arg);
      if (!side) return;
      const isNull = node.NullTest.nulltesttype === 'IS_NULL';
      const predicate = checkedPredicate(
        `${side.expression ? `(${side.key})` : quoteIdentifier(side.key)} ${isNull ? 'IS NULL' : 'IS NOT NULL'}`,
        { NullTest: { arg: side.keyTree, nulltesttype: node.NullTest.nulltesttype } },
      );
      // Without a predicate that parses back to the query's test, the use is not a constant one (no partial index).
      if (!predicate) return;
      entry(side.table).uses.push({ kind: 'eq', key: side.key, expression: side.expression, column: side.column, constantPredicate: predicate.text, predicateTree: predicate.tree, keyTree: side.keyTree, orGroup });
      return;
    }
    const expr = node.A_Expr;
    if (!expr) return;
    const operator: string | undefined = expr.name?.[expr.name.length - 1]?.String?.sval;
    if (expr.kind === 'AEXPR_LIKE' || expr.kind === 'AEXPR_ILIKE') {
      if (operator?.startsWith('!')) return;
      const side = columnSide(expr.lexpr);
      if (!side) return;
      const { shape: pattern, trigramUsable } = likePattern(expr.rexpr, statement.site.parameters);
      const ilike = expr.kind === 'AEXPR_ILIKE';
      // '%@%': no index of any kind narrows it (see likePattern.ts), so no candidate.
      if (pattern === 'leading-wildcard' && trigramUsable) entry(side.table).uses.push({ kind: 'contains-like', key: side.key, expression: side.expression, column: side.column, ilike, keyTree: side.keyTree, orGroup });
      else if (pattern === 'prefix' && !ilike) entry(side.table).uses.push({ kind: 'prefix-like', key: side.key, expression: side.expression, column: side.column, keyTree: side.keyTree, orGroup });
      return;
    }
    if (expr.kind === 'AEXPR_IN') {
      const side = columnSide(expr.lexpr);
      if (!side || operator !== '=') return;
      const items = (expr.rexpr?.List?.items ?? []) as AstNode[];
      if (!items.every(isValueSide)) return;
      entry(side.table).uses.push({ kind: 'eq', key: side.key, expression: side.expression, column: side.column, keyTree: side.keyTree, orGroup });
      return;
    }
    if (expr.kind === 'AEXPR_BETWEEN' || expr.kind === 'AEXPR_BETWEEN_SYM') {
      const side = columnSide(expr.lexpr);
      if (side) entry(side.table).uses.push({ kind: 'range', key: side.key, expression: side.expression, column: side.column, keyTree: side.keyTree, orGroup });
      return;
    }
    if (expr.kind !== 'AEXPR_OP' || !operator) return;
    const left = columnSide(expr.lexpr);
    const right = columnSide(expr.rexpr);
    if (operator === '=' && left && right && left.table !== right.table) {
      // A join condition: each side is an equality on its own table (the other side's value comes from the join).
      entry(left.table).uses.push({ kind: 'eq', key: left.key, expression: left.expression, column: left.column, join: true, keyTree: left.keyTree, orGroup });
      entry(right.table).uses.push({ kind: 'eq', key: right.key, expression: right.expression, column: right.column, join: true, keyTree: right.keyTree, orGroup });
      return;
    }
    const [side, value, flipped] = left && isValueSide(expr.rexpr) ? [left, expr.rexpr, false] : right && isValueSide(expr.lexpr) ? [right, expr.lexpr, true] : [undefined, undefined, false];
    if (!side) return;
    if (operator === '=') {
      const constant = isConstant(value) ? sliceOf(value) : undefined;
      const keyText = side.expression ? `(${side.key})` : quoteIdentifier(side.key);
      const predicate = constant
        ? checkedPredicate(`${keyText} = ${constant.text}`, { A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: '=' } }], lexpr: side.keyTree, rexpr: constant.tree } })
        : undefined;
      entry(side.table).uses.push({
        kind: 'eq',
        key: side.key,
        expression: side.expression,
        column: side.column,
        constantPredicate: predicate?.text,
        predicateTree: predicate?.tree,
        keyTree: side.keyTree,
        orGroup,
      });
    } else if (RANGE_OPERATORS.has(operator)) {
      entry(side.table).uses.push({ kind: 'range', key: side.key, expression: side.expression, column: side.column, keyTree: side.keyTree, orGroup });
    } else if (JSONB_GIN_OPERATORS.has(operator) && !side.expression && !flipped) {
      entry(side.table).uses.push({ kind: 'jsonb-contains', key: side.key, expression: false, column: side.column, ilike: operator !== '@>', orGroup });
    }
  };

  visitObjects(statement.node, (body) => {
    if (body.whereClause) addPredicate(body.whereClause);
    if (body.quals && body.jointype) addPredicate(body.quals);
  });

  // ORDER BY and GROUP BY of the statement itself (a subquery's order serves nobody).
  const top = statement.node[statement.kind];
  const sortClause = (top?.sortClause ?? []) as AstNode[];
  const sorts: { side: NonNullable<ReturnType<typeof columnSide>>; descending: boolean }[] = [];
  for (const item of sortClause) {
    const side = columnSide(item.SortBy?.node);
    if (!side) {
      sorts.length = 0;
      break;
    }
    sorts.push({ side, descending: item.SortBy.sortby_dir === 'SORTBY_DESC' });
  }
  // An index only returns rows in an order of one table's columns.
  if (sorts.length > 0 && sorts.every((s) => s.side.table === sorts[0].side.table)) {
    for (const s of sorts) entry(s.side.table).uses.push({ kind: 'sort', key: s.side.key, expression: s.side.expression, column: s.side.column, descending: s.descending, keyTree: s.side.keyTree });
  }
  for (const item of (top?.groupClause ?? []) as AstNode[]) {
    const side = columnSide(item);
    if (side) entry(side.table).uses.push({ kind: 'group', key: side.key, expression: side.expression, column: side.column, keyTree: side.keyTree });
  }
  return byTable;
}

function columnRef(node: AstNode): { qualifier?: string; column: string } | undefined {
  const fields = node?.ColumnRef?.fields as AstNode[] | undefined;
  if (!fields || fields.some((f) => !f.String)) return undefined;
  const names = fields.map((f) => f.String.sval as string);
  return { column: names[names.length - 1], qualifier: names.length > 1 ? names[names.length - 2] : undefined };
}

function collectColumnRefs(node: AstNode): { qualifier?: string; column: string }[] {
  const found: { qualifier?: string; column: string }[] = [];
  visitObjects(node, (body) => {
    if (Array.isArray(body.fields) && body.location !== undefined && body.fields.every((f: AstNode) => f.String)) {
      const ref = columnRef({ ColumnRef: body });
      if (ref) found.push(ref);
    }
  });
  return found;
}

function containsSubquery(node: AstNode): boolean {
  let found = false;
  visitObjects(node, (body) => {
    if (body.subselect) found = true;
  });
  return found;
}

/** A value the index lookup gets from outside the table: a constant, a parameter, now(), $1 + 1. */
function isValueSide(node: AstNode): boolean {
  if (!node || typeof node !== 'object') return false;
  if (containsSubquery(node)) return false;
  return collectColumnRefs(node).length === 0;
}

function isConstant(node: AstNode): boolean {
  if (!node) return false;
  if (node.A_Const) return !node.A_Const.isnull;
  if (node.TypeCast) return isConstant(node.TypeCast.arg);
  return false;
}

function resolveTable(schema: SchemaFacts, relations: Map<string, Relation>, qualifier: string | undefined, column: string): TableFacts | undefined {
  if (qualifier) {
    const relation = relations.get(qualifier);
    return relation ? findTable(schema, relation.name, relation.schema) : undefined;
  }
  const candidates = [...relations.values()]
    .map((r) => findTable(schema, r.name, r.schema))
    .filter((t): t is TableFacts => t !== undefined && t.columns.some((c) => c.name === column));
  const unique = [...new Set(candidates)];
  return unique.length === 1 ? unique[0] : undefined;
}


// ---------------------------------------------------------------------------------------------------------------
// Expressions from the parse tree

/** A plain column as the parser writes it in an expression: `{ ColumnRef: { fields: [{ String: { sval } }] } }`. */
function columnTree(column: string): AstNode {
  return { ColumnRef: { fields: [{ String: { sval: column } }] } };
}

/** The query's expression as an index holds it: no locations, column references without their table or alias. */
function indexTree(node: AstNode): AstNode | undefined {
  let bad = false;
  const strip = (value: AstNode): AstNode => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === 'location') continue;
      if (key === 'ColumnRef') {
        const fields = (value.ColumnRef.fields ?? []) as AstNode[];
        if (fields.length === 0 || fields.some((f) => !f.String)) bad = true;
        copy[key] = { fields: [withoutLocations(fields[fields.length - 1])] };
      } else copy[key] = strip(value[key]);
    }
    return copy;
  };
  const tree = strip(node);
  return bad ? undefined : tree;
}

/** Every `location` in a tree, UTF-16 offsets into the site text. */
function locationsOf(statement: ParsedStatement, node: AstNode): number[] {
  const found: number[] = [];
  visitObjects(node, (body) => {
    if (typeof body.location === 'number' && body.location >= 0) found.push(statement.offsetOf(body.location));
  });
  return found;
}

/** How many more tokens than the parser's last location an expression may end with (`::timestamp with time zone`). */
const MAX_TRAILING_TOKENS = 6;

/**
 * The text of an expression of the statement, cut on the scanner's token bounds: from its first located token to the
 * token that closes its last parenthesis (or a few tokens further, for type names the parser does not locate),
 * comments and column qualifiers dropped. Returned only when it parses, inside an index definition, to exactly the
 * query's tree; undefined otherwise (no candidate is made of it).
 */
function treeSlice(statement: ParsedStatement, tokens: SqlToken[], node: AstNode): { text: string; tree: AstNode } | undefined {
  const tree = indexTree(node);
  const locations = locationsOf(statement, node);
  if (!tree || locations.length === 0) return undefined;
  const text = statement.site.text;
  const first = tokens.findIndex((t) => t.start === Math.min(...locations));
  const lastLocation = Math.max(...locations);
  const last = tokens.findIndex((t) => t.start <= lastLocation && lastLocation < t.end);
  if (first < 0 || last < first) return undefined;
  // Tokens of column qualifiers (`o` and `.` of `o.email`) are left out.
  const qualifier = new Set<number>();
  let bad = false;
  visitObjects(node, (body) => {
    if (!Array.isArray(body.fields) || body.location === undefined || body.fields.length < 2) return;
    let i = tokens.findIndex((t) => t.start === statement.offsetOf(body.location));
    for (let n = 0; n < body.fields.length - 1; n++) {
      for (const expected of ['name', '.']) {
        while (i >= 0 && i < tokens.length && tokens[i].comment) i++;
        const token = i >= 0 ? tokens[i] : undefined;
        const tokenText = token ? text.slice(token.start, token.end) : '';
        if (!token || (expected === '.' ? tokenText !== '.' : tokenText === '.')) bad = true;
        else qualifier.add(i);
        i++;
      }
    }
  });
  if (bad) return undefined;
  const textOf = (i: number) => text.slice(tokens[i].start, tokens[i].end);
  let depth = 0;
  let end = first;
  for (; end <= last; end++) if (!tokens[end].comment) depth += textOf(end) === '(' ? 1 : textOf(end) === ')' ? -1 : 0;
  end--;
  while (depth > 0 && end + 1 < tokens.length && tokens[end + 1].end <= statement.end) {
    end++;
    if (!tokens[end].comment) depth += textOf(end) === '(' ? 1 : textOf(end) === ')' ? -1 : 0;
  }
  if (depth !== 0) return undefined;
  for (let extra = 0; extra <= MAX_TRAILING_TOKENS && end < tokens.length && tokens[end].end <= statement.end; extra++) {
    if (extra > 0) {
      end++;
      while (end < tokens.length && tokens[end].comment) end++;
      if (end >= tokens.length || tokens[end].end > statement.end) break;
      const t = textOf(end);
      // An expression never takes in the end of its enclosing list or parenthesis, nor the next statement.
      if (t === ')' || t === ',' || t === ';') break;
    }
    const candidate = joinTokens(text, tokens, first, end, qualifier);
    if (candidate !== undefined && parsesToKey(candidate, tree)) return { text: candidate, tree };
  }
  return undefined;
}

/** Tokens first..last as text: comments and qualifier tokens out, one space wherever the source had any gap. */
function joinTokens(text: string, tokens: SqlToken[], first: number, last: number, skip: Set<number>): string | undefined {
  let out = '';
  let previousEnd = -1;
  let gap = false;
  for (let i = first; i <= last; i++) {
    const token = tokens[i];
    if (previousEnd >= 0 && token.start > previousEnd) gap = true;
    previousEnd = token.end;
    if (token.comment) {
      gap = true;
      continue;
    }
    if (skip.has(i)) continue;
    const tokenText = text.slice(token.start, token.end);
    // A gap becomes one space, except inside parentheses' edges and before a comma: `lower(email)`, not `lower(email )`.
    if (out.length > 0 && gap && !out.endsWith('(') && tokenText !== ')' && tokenText !== ',') out += ' ';
    out += tokenText;
    gap = false;
  }
  return out.length > 0 ? out : undefined;
}

/** Whether `CREATE INDEX ON t ((<text>))` is one statement whose one key is exactly `tree`. */
function parsesToKey(text: string, tree: AstNode): boolean {
  const params = parsedIndex(`CREATE INDEX ON t ((${text}))`)?.indexParams as AstNode[] | undefined;
  return params?.length === 1 && sameTree(params[0].IndexElem?.expr, tree) && params[0].IndexElem?.name === undefined;
}

/** A partial-index predicate kept only when `CREATE INDEX ON t (x) WHERE <text>` parses back to the query's test. */
function checkedPredicate(text: string, tree: AstNode): { text: string; tree: AstNode } | undefined {
  const where = parsedIndex(`CREATE INDEX ON t (x) WHERE ${text}`)?.whereClause;
  return where && sameTree(where, tree) ? { text, tree } : undefined;
}

/** The IndexStmt of `sql` when it is exactly one CREATE INDEX, else undefined. */
function parsedIndex(sql: string): AstNode | undefined {
  if (sql.includes('\u0000')) return undefined;
  try {
    const statements = parseToJson(sql).stmts as AstNode[] | undefined;
    return statements?.length === 1 ? statements[0].stmt?.IndexStmt : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Which tables the plan reads in a way an index could change

export interface ScannedTable {
  uses: TableUses;
  /** The costliest scan node of the table in the plan. */
  scan: PlanNode;
}

/**
 * Tables that the plan scans sequentially (or with a full index pass, or a bitmap scan that rechecks a lot), big
 * enough to matter, costliest first.
 */
export function scannedTables(root: PlanNode, uses: Map<string, TableUses>, minRows = MIN_TABLE_ROWS): ScannedTable[] {
  const found = new Map<TableUses, PlanNode>();
  for (const { node } of walkPlan(root)) {
    if (!node.relationName || !/Scan$/.test(node.nodeType)) continue;
    const tableUses = [...uses.values()].find((u) => u.table.name === node.relationName && (!node.schema || u.table.schema === node.schema));
    if (!tableUses || tableUses.table.estimatedRows < minRows) continue;
    const previous = found.get(tableUses);
    if (!previous || previous.totalCost < node.totalCost) found.set(tableUses, node);
  }
  return [...found.entries()].map(([u, scan]) => ({ uses: u, scan })).sort((a, b) => b.scan.totalCost - a.scan.totalCost);
}

// ---------------------------------------------------------------------------------------------------------------
// Candidates

export interface CandidateContext {
  /** The database's default collation (datcollate); "C"/"POSIX" lets a plain btree serve prefix LIKE. */
  databaseCollation?: string;
  /**
   * Whether a constant predicate suits a partial index: selective (keeps few rows) on a column with few distinct
   * values (status, type, deleted_at IS NULL). `email = 'x@y'` is selective too, but a partial index per e-mail
   * address is no index. Unknown (no statistics): the what-if plan decides.
   */
  partialWorthy?: (table: TableFacts, use: ColumnUse) => boolean;
}

/** Keeps at most 20% of the rows, and the column has at most 200 distinct values (IS NULL tests aside). */
export function partialWorthyByStats(stats: Map<string, Map<string, { nullFrac: number; distinct: number; common: Map<string, number>; otherFrequency: number }>>): NonNullable<CandidateContext['partialWorthy']> {
  return (table, use) => {
    // An expression has no statistics of its own before it is indexed: its plain index is the safer suggestion.
    if (use.expression) return false;
    const column = stats.get(`${table.schema}.${table.name}`)?.get(use.column);
    if (!column) return true;
    const predicate = use.constantPredicate ?? '';
    if (/IS NULL$/.test(predicate)) return column.nullFrac <= 0.2;
    if (/IS NOT NULL$/.test(predicate)) return column.nullFrac >= 0.8;
    if (column.distinct > 200) return false;
    const literal = /=\s*'((?:[^']|'')*)'(::[\w ]+)?$/.exec(predicate)?.[1]?.replace(/''/g, "'") ?? /=\s*([-\w.]+)$/.exec(predicate)?.[1];
    if (literal === undefined) return false;
    const frequency = column.common.get(literal) ?? column.otherFrequency;
    return frequency <= 0.2;
  };
}

function isCCollation(collation: string | undefined): boolean {
  return collation === 'C' || collation === 'POSIX' || collation === 'ucs_basic';
}

function keyOf(use: ColumnUse, table: TableFacts, context: CandidateContext): IndexKeySpec {
  const spec: IndexKeySpec = { text: use.key, expression: use.expression };
  if (use.kind === 'prefix-like' && !use.expression) {
    const column = table.columns.find((c) => c.name === use.column);
    const collation = column?.collation === 'default' || column?.collation === undefined ? context.databaseCollation : column.collation;
    if (!isCCollation(collation)) spec.opclass = /^(character varying|varchar)/.test(column?.type ?? '') ? 'varchar_pattern_ops' : 'text_pattern_ops';
  }
  return spec;
}

function uniqueUses(uses: ColumnUse[]): ColumnUse[] {
  const seen = new Set<string>();
  return uses.filter((u) => {
    if (seen.has(u.key)) return false;
    seen.add(u.key);
    return true;
  });
}

function kindsOf(keys: IndexKeySpec[], extra: CandidateKind[] = []): CandidateKind[] {
  const kinds = new Set<CandidateKind>(extra);
  kinds.add(keys.length > 1 ? 'multi-column' : 'single-column');
  if (keys.some((k) => k.expression)) kinds.add('expression');
  if (keys.some((k) => k.opclass)) kinds.add('pattern-ops');
  return [...kinds];
}

/**
 * The candidates a DBA would try first for one table, best guess first: equality columns, then one range (or a
 * prefix LIKE) or the ORDER BY keys; the same without the columns compared to constants, as a partial index on those
 * constants; the shorter prefixes of the composite (cheaper, maybe as good); GIN for `%x%` and jsonb containment;
 * one index per arm of an OR.
 */
export interface TableCandidates {
  /** The composite: all equality columns, then range or sort, up to 3. */
  composite?: IndexCandidate;
  /** Shorter leading parts of the composite, shortest first. */
  prefixes: IndexCandidate[];
  partial?: IndexCandidate;
  gin: IndexCandidate[];
  orSets: IndexCandidate[][];
}

export function tableCandidates(uses: TableUses, context: CandidateContext = {}): TableCandidates {
  const table = uses.table;
  const conj = uses.uses.filter((u) => u.orGroup === undefined);
  const eq = uniqueUses(conj.filter((u) => u.kind === 'eq' && !(u.constantPredicate && /IS NOT NULL$/.test(u.constantPredicate))));
  // Parameters before constants: a constant with few distinct values leads a poor index, and the partial variant drops it.
  eq.sort((a, b) => Number(a.constantPredicate !== undefined) - Number(b.constantPredicate !== undefined) || Number(a.join === true) - Number(b.join === true));
  const ranges = uniqueUses(conj.filter((u) => u.kind === 'range' || u.kind === 'prefix-like'));
  const sorts = conj.filter((u) => u.kind === 'sort');
  const groups = conj.filter((u) => u.kind === 'group');
  const eqKeys = new Set(eq.map((u) => u.key));

  const keys: { use: ColumnUse; descending?: boolean }[] = eq.slice(0, 3).map((use) => ({ use }));
  const sortAfterEq = sorts.filter((s) => !eqKeys.has(s.key));
  const mixedDirections = new Set(sortAfterEq.map((s) => s.descending === true)).size > 1;
  const range = ranges.find((r) => !eqKeys.has(r.key));
  if (range && (sortAfterEq.length === 0 || sortAfterEq[0].key !== range.key)) keys.push({ use: range });
  else if (sortAfterEq.length > 0) for (const s of sortAfterEq) keys.push({ use: s, descending: mixedDirections ? s.descending : undefined });
  else if (keys.length === 0 && groups.length > 0) for (const g of uniqueUses(groups)) keys.push({ use: g });
  const composed = keys.slice(0, 3);

  const result: TableCandidates = { prefixes: [], gin: [], orSets: [] };
  const build = (parts: { use: ColumnUse; descending?: boolean }[], predicateUses: ColumnUse[] = [], extra: CandidateKind[] = []): IndexCandidate | undefined => {
    const specs = parts.map(({ use, descending }) => ({ ...keyOf(use, table, context), descending: descending || undefined }));
    const predicate = predicateUses.length > 0 ? predicateUses.map((u) => u.constantPredicate!).join(' AND ') : undefined;
    const candidate: IndexCandidate = { schema: table.schema, table: table.name, method: 'btree', keys: specs, include: [], predicate, kinds: kindsOf(specs, predicate ? ['partial', ...extra] : extra) };
    return checkedCandidate(candidate, parts.map((p) => p.use), predicateUses);
  };
  if (composed.length > 0) {
    result.composite = build(composed);
    for (let n = 1; n < composed.length; n++) {
      const prefix = build(composed.slice(0, n));
      if (prefix) result.prefixes.push(prefix);
    }
  }
  // Partial: the constants move into WHERE, the rest stays as keys (or the constant column itself when nothing is left).
  const worthy = (u: ColumnUse) => context.partialWorthy?.(table, u) ?? true;
  const constants = eq.filter((u) => u.constantPredicate !== undefined && worthy(u));
  const notNull = uniqueUses(conj.filter((u) => u.constantPredicate && /IS NOT NULL$/.test(u.constantPredicate) && worthy(u)));
  const partialPredicates = [...constants, ...notNull];
  if (partialPredicates.length > 0) {
    const constantKeys = new Set(constants.map((u) => u.key));
    let rest = composed.filter((k) => !constantKeys.has(k.use.key));
    // Nothing left to look up: the partial index only has to list its rows. Its smallest key is the primary key
    // (the planner also costs a full pass over a small partial index lower than a lookup by the predicate column).
    if (rest.length === 0 && sorts.length > 0) rest = sorts.slice(0, 3).map((use) => ({ use }));
    if (rest.length === 0 && uses.primaryKey?.length === 1) rest = [{ use: { kind: 'eq', key: uses.primaryKey[0], expression: false, column: uses.primaryKey[0] } }];
    if (rest.length === 0) rest = constants.slice(0, 1).map((use) => ({ use }));
    if (rest.length > 0) result.partial = build(rest, partialPredicates);
  }
  for (const like of uniqueUses(conj.filter((u) => u.kind === 'contains-like'))) {
    const trigram = checkedCandidate(
      {
        schema: table.schema,
        table: table.name,
        method: 'gin',
        keys: [{ text: like.key, expression: like.expression, opclass: 'gin_trgm_ops' }],
        include: [],
        kinds: ['trigram'],
        needsExtension: 'pg_trgm',
      },
      [like],
    );
    if (trigram) result.gin.push(trigram);
  }
  const jsonbUses = conj.filter((u) => u.kind === 'jsonb-contains');
  for (const json of uniqueUses(jsonbUses)) {
    // jsonb_path_ops is smaller and faster but serves only @>; the key-exists operators need the default class.
    const onlyContainment = jsonbUses.filter((u) => u.key === json.key).every((u) => !u.ilike);
    const column = table.columns.find((c) => c.name === json.column);
    const isJsonb = column?.type === 'jsonb';
    const gin = checkedCandidate(
      {
        schema: table.schema,
        table: table.name,
        method: 'gin',
        keys: [{ text: json.key, expression: false, opclass: isJsonb && onlyContainment ? 'jsonb_path_ops' : undefined }],
        include: [],
        kinds: ['jsonb-gin'],
      },
      [json],
    );
    if (gin) result.gin.push(gin);
  }
  for (const arms of uses.orArms) {
    const set: IndexCandidate[] = [];
    for (const arm of arms) {
      const lead = arm.find((u) => u.kind === 'eq') ?? arm.find((u) => u.kind === 'range' || u.kind === 'prefix-like');
      if (!lead) {
        set.length = 0;
        break;
      }
      const candidate = build([{ use: lead }], [], ['or-bitmap']);
      if (!candidate) {
        set.length = 0;
        break;
      }
      if (!set.some((c) => definitionKey(c) === definitionKey(candidate))) set.push(candidate);
    }
    if (set.length > 0) result.orSets.push(set);
  }
  return result;
}

/** The composite with the other columns the statement reads as INCLUDE, when few enough for an index-only scan. */
export function coveringVariant(candidate: IndexCandidate, uses: TableUses, maxInclude = 3): IndexCandidate | undefined {
  if (candidate.method !== 'btree' || !uses.referencedColumns) return undefined;
  const keyColumns = new Set(candidate.keys.filter((k) => !k.expression).map((k) => k.text));
  // An expression key hides its column from an index-only scan unless the column is included too.
  const include = [...uses.referencedColumns].filter((c) => !keyColumns.has(c));
  if (include.length === 0 || include.length > maxInclude) return undefined;
  if (candidate.keys.some((k) => k.opclass)) return undefined;
  const covering: IndexCandidate = { ...candidate, include, kinds: [...new Set<CandidateKind>([...candidate.kinds, 'covering'])] };
  // Keys and predicate are the checked candidate's own text; the INCLUDE columns are checked here.
  try {
    assertIndexDefinition(`CREATE INDEX ${indexDefinition(covering)}`, covering);
  } catch {
    return undefined;
  }
  return covering;
}

/**
 * Every candidate up to three key columns over the columns the statement constrains or orders by (all orders),
 * each also as a partial index on the statement's constant predicates, plus the GIN and OR candidates: the
 * exhaustive search space the benchmark compares the greedy search against.
 */
export function exhaustiveCandidates(uses: TableUses, context: CandidateContext = {}, options: { expandStar?: boolean } = {}): IndexCandidate[][] {
  const table = uses.table;
  const pool = uniqueUses(uses.uses.filter((u) => u.kind !== 'contains-like' && u.kind !== 'jsonb-contains' && !(u.constantPredicate && /IS NOT NULL$/.test(u.constantPredicate))));
  // The select list's plain columns belong to the search space too (an index can lead with any of them); with
  // `expandStar`, `SELECT *` mentions every column of the table.
  const mentioned = uses.referencedColumns ?? (options.expandStar ? new Set(table.columns.map((c) => c.name)) : new Set<string>());
  for (const column of mentioned) {
    if (!pool.some((u) => u.key === column)) pool.push({ kind: 'eq', key: column, expression: false, column });
  }
  const predicateUses = new Map<string, ColumnUse>();
  for (const u of uses.uses) if (u.constantPredicate && u.orGroup === undefined && !predicateUses.has(u.constantPredicate)) predicateUses.set(u.constantPredicate, u);
  const predicates = [undefined, ...predicateUses.values()];
  const all: IndexCandidate[][] = [];
  const seen = new Set<string>();
  const push = (set: IndexCandidate[]) => {
    const key = set.map(definitionKey).join(' + ');
    if (seen.has(key)) return;
    seen.add(key);
    all.push(set);
  };
  const permutations = (n: number, prefix: ColumnUse[]): void => {
    if (prefix.length === n) {
      for (const predicateUse of predicates) {
        const specs = prefix.map((u) => keyOf(u, table, context));
        const predicate = predicateUse?.constantPredicate;
        const candidate = checkedCandidate(
          { schema: table.schema, table: table.name, method: 'btree', keys: specs, include: [], predicate, kinds: kindsOf(specs, predicate ? ['partial'] : []) },
          prefix,
          predicateUse ? [predicateUse] : [],
        );
        if (candidate) push([candidate]);
      }
      return;
    }
    for (const use of pool) if (!prefix.includes(use)) permutations(n, [...prefix, use]);
  };
  for (let n = 1; n <= 3; n++) permutations(n, []);
  const greedy = tableCandidates(uses, context);
  for (const c of [greedy.composite, greedy.partial, ...greedy.prefixes]) if (c) push([c]);
  for (const c of greedy.gin) push([c]);
  for (const set of greedy.orSets) push(set);
  return all;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

function keySql(key: IndexKeySpec): string {
  const base = key.expression ? `(${key.text})` : quoteIdentifier(key.text);
  return `${base}${key.opclass ? ` ${quoteIdentifier(key.opclass)}` : ''}${key.descending ? ' DESC' : ''}`;
}

export function qualifiedTable(candidate: { schema: string; table: string }): string {
  return quoteQualifiedName(candidate.schema, candidate.table, 'public');
}

/** `ON invoices (account_id, issued_at) INCLUDE (...) WHERE ...`: what follows CREATE INDEX [name]. */
export function indexDefinition(candidate: IndexCandidate): string {
  const using = candidate.method === 'btree' ? '' : ` USING ${candidate.method}`;
  const include = candidate.include.length > 0 ? ` INCLUDE (${candidate.include.map(quoteIdentifier).join(', ')})` : '';
  const where = candidate.predicate ? ` WHERE ${candidate.predicate}` : '';
  return `ON ${qualifiedTable(candidate)}${using} (${candidate.keys.map(keySql).join(', ')})${include}${where}`;
}

/**
 * `CREATE INDEX ON ...` for the candidate, parsed again before anyone gets it: one CREATE INDEX on the candidate's
 * table with its keys, INCLUDE columns and predicate (see `indexStatementProblem`); throws GeneratedSqlError otherwise.
 */
export function createIndexSql(candidate: IndexCandidate): string {
  const sql = `CREATE INDEX ${indexDefinition(candidate)}`;
  assertIndexDefinition(sql, candidate);
  return sql;
}

/** `CREATE INDEX CONCURRENTLY ON ...`, checked as createIndexSql is. */
export function createIndexConcurrentlySql(candidate: IndexCandidate): string {
  const sql = `CREATE INDEX CONCURRENTLY ${indexDefinition(candidate)}`;
  assertIndexDefinition(sql, candidate);
  return sql;
}

/** Throws unless `sql` (CREATE INDEX [CONCURRENTLY] [name] + the candidate's definition) has the candidate's shape. */
export function assertIndexDefinition(sql: string, candidate: IndexCandidate, name?: string): void {
  assertCreateIndex(sql, { schema: candidate.schema, table: candidate.table, name });
  const problem = indexStatementProblem(parsedIndex(sql), candidate);
  if (problem) throw new GeneratedSqlError(`pglens refused generated SQL: ${problem}`);
}

/**
 * What is wrong with a parsed CREATE INDEX for this candidate, or undefined: its method, each key (plain columns by
 * name; expressions, and the predicate, by tree when the query's trees are given), operator classes, order, INCLUDE.
 */
function indexStatementProblem(index: AstNode | undefined, candidate: IndexCandidate, trees?: { keys: (AstNode | undefined)[]; where?: AstNode }): string | undefined {
  if (!index) return 'not one CREATE INDEX statement';
  const relation = index.relation ?? {};
  if (relation.relname !== candidate.table || (relation.schemaname ?? 'public') !== candidate.schema) return `not an index on ${candidate.schema}.${candidate.table}`;
  if ((index.accessMethod ?? 'btree') !== candidate.method) return `an index using ${String(index.accessMethod)} where ${candidate.method} was meant`;
  const params = (index.indexParams ?? []) as AstNode[];
  if (params.length !== candidate.keys.length) return `${params.length} index keys where ${candidate.keys.length} were meant`;
  for (let i = 0; i < params.length; i++) {
    const elem = params[i].IndexElem ?? {};
    const key = candidate.keys[i];
    if (key.expression) {
      if (elem.name !== undefined || elem.expr === undefined) return `key ${i + 1} is not the expression meant`;
      if (trees && !(trees.keys[i] !== undefined && sameTree(elem.expr, trees.keys[i]))) return `key ${i + 1} does not parse to the query's expression`;
    } else if (elem.name !== key.text || elem.expr !== undefined) return `key ${i + 1} is not the column ${key.text}`;
    const opclass = ((elem.opclass ?? []) as AstNode[]).map((n) => n.String?.sval);
    if ((key.opclass === undefined && opclass.length > 0) || (key.opclass !== undefined && (opclass.length !== 1 || opclass[0] !== key.opclass))) return `key ${i + 1} has another operator class`;
    if ((elem.ordering === 'SORTBY_DESC') !== (key.descending === true)) return `key ${i + 1} has another order`;
  }
  const include = ((index.indexIncludingParams ?? []) as AstNode[]).map((p) => p.IndexElem?.name);
  if (include.length !== candidate.include.length || include.some((name, i) => name !== candidate.include[i])) return 'INCLUDE columns differ from those meant';
  if ((index.whereClause === undefined) !== (candidate.predicate === undefined)) return 'the predicate differs from the one meant';
  if (trees && index.whereClause !== undefined && !(trees.where !== undefined && sameTree(index.whereClause, trees.where))) return "the predicate does not parse to the query's";
  return undefined;
}

/**
 * The candidate, when its CREATE INDEX parses back to exactly the query's expressions and predicate; undefined when it
 * does not (then it is never planned, suggested nor written). `keyUses` and `predicateUses` are the uses it was built from.
 */
function checkedCandidate(candidate: IndexCandidate, keyUses: ColumnUse[], predicateUses: ColumnUse[] = []): IndexCandidate | undefined {
  const predicates = predicateUses.map((u) => u.predicateTree);
  if (predicates.some((p) => p === undefined)) return undefined;
  const where = predicates.length === 0 ? undefined : predicates.length === 1 ? predicates[0] : { BoolExpr: { boolop: 'AND_EXPR', args: predicates } };
  let sql: string;
  try {
    sql = `CREATE INDEX ${indexDefinition(candidate)}`;
  } catch {
    return undefined;
  }
  const problem = indexStatementProblem(parsedIndex(sql), candidate, { keys: keyUses.map((u) => u.keyTree ?? (u.expression ? undefined : columnTree(u.key))), where });
  return problem ? undefined : candidate;
}

/** Identity of a candidate for de-duplication and merging across statements. */
export function definitionKey(candidate: IndexCandidate): string {
  return `${candidate.schema}.${candidate.table}|${indexDefinition(candidate).toLowerCase().replace(/\s+/g, ' ')}`;
}

/** `invoices_account_id_issued_at_idx`, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1) with a hash when cut. */
export function indexName(candidate: IndexCandidate): string {
  const parts = candidate.keys.map((k) =>
    k.text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, ''),
  );
  const suffix = candidate.method === 'gin' ? (candidate.kinds.includes('trigram') ? 'trgm_idx' : 'gin_idx') : candidate.predicate ? 'partial_idx' : 'idx';
  // Only [a-z0-9_] from the table's name as well: the name goes into file names, and is quoted in SQL all the same.
  const table = candidate.table.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'table';
  const name = `${table}_${parts.join('_')}_${suffix}`.replace(/_+/g, '_');
  if (Buffer.byteLength(name) <= 63) return name;
  let hash = 0;
  for (const c of definitionKey(candidate)) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const tail = `_${hash.toString(16).padStart(8, '0').slice(0, 8)}_${suffix}`;
  let head = name.slice(0, 63 - tail.length);
  while (Buffer.byteLength(head + tail) > 63) head = head.slice(0, -1);
  return head.replace(/_+$/, '') + tail;
}

// ---------------------------------------------------------------------------------------------------------------
// Existing indexes

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/('(?:[^']|'')*')::[a-z_ ]+(\[\])?/g, '$1')
    .replace(/[\s()"]/g, '');
}

/**
 * The existing index that already does the candidate's job: same method, same predicate (or none), and the
 * candidate's keys are its leading keys (a btree on (a, b) serves every lookup on a). Expressions and predicates are
 * compared without casts, quotes, parentheses and spaces, as pg_get_indexdef prints them differently from people.
 */
export function existingIndexCovering(candidate: IndexCandidate, schema: SchemaFacts): IndexFacts | undefined {
  const table = findTable(schema, candidate.table, candidate.schema);
  if (!table) return undefined;
  return indexesOf(schema, table).find((index) => {
    if (!index.valid || index.method !== candidate.method) return false;
    if (normalize(index.predicate ?? '') !== normalize(candidate.predicate ?? '')) return false;
    if (candidate.keys.length > index.keys.length) return false;
    for (let i = 0; i < candidate.keys.length; i++) {
      const key = candidate.keys[i];
      const existing = index.keys[i];
      const existingBare = existing.replace(/\s+(text_pattern_ops|varchar_pattern_ops|jsonb_path_ops|gin_trgm_ops|DESC|ASC)\b/gi, '');
      if (normalize(existingBare) !== normalize(key.text)) return false;
      if (key.opclass && !existing.includes(key.opclass)) return false;
      if (!key.opclass && /_pattern_ops\b/.test(existing)) return false;
    }
    if (candidate.method === 'btree') {
      const include = new Set([...index.keys, ...index.include].map(normalize));
      if (!candidate.include.every((c) => include.has(normalize(c)))) return false;
    }
    return true;
  });
}

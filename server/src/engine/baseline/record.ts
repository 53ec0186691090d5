// What a baseline records of one analysed file: per statement a key that survives moving code around, the plan's
// shape, cost and rows, the locks of a migration statement, and the rules it already offends.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import ts = require('typescript');
import type { FileAnalysis } from '../analyze';
import { withReadOnlyTransaction, type DatabaseClient, type TransactionLimits } from '../db/client';
import { findTable, type SchemaFacts } from '../db/schemaFacts';
import { locksForStatement } from '../locks/lockModel';
import { lockContextFromSchemaFacts } from '../locks/schemaContext';
import type { AstNode, ParsedStatement } from '../parse/parse';
import { isScanNode, walkPlan, type ExplainedPlan, type PlanNode } from '../plan/model';
import { tableRows } from '../rules/plan/planFacts';
import { LineIndex } from '../text';
import type { SourceRange } from '../types';
import { roundEstimate, type BaselineDatabase, type BaselineJoin, type BaselineLock, type BaselinePlan, type BaselineScan, type BaselineStatement } from './model';

/** A statement of this run: what the baseline stores, plus where it is now (for links in reports). */
export interface CurrentStatement extends BaselineStatement {
  /** Absolute path. */
  absoluteFile: string;
  /** 1-based line of the statement's first character. */
  line: number;
  range: SourceRange;
  fileStart: number;
  fileEnd: number;
}

const JOIN_NODES = new Set(['Nested Loop', 'Hash Join', 'Merge Join']);

/**
 * The statement's parse tree with positions and constant values left out, hashed: `WHERE id = 1` and
 * `WHERE id = $1`, or the same query re-indented or re-commented, have one fingerprint; another column, table or
 * operator gives another.
 */
export function statementFingerprint(node: AstNode): string {
  const canonical = JSON.stringify(node, (key, value) => {
    if (key === 'location' || key === 'stmt_location' || key === 'stmt_len') return undefined;
    // A literal and a parameter in its place are the same statement (a refactor from one to the other).
    if (value !== null && typeof value === 'object' && ('A_Const' in value || 'ParamRef' in value)) return '?';
    return value;
  });
  return createHash('sha1').update(canonical).digest('hex').slice(0, 16);
}

/** What enclosing declarations are named, for offsets of a code file: "OrderRepo.byCustomer", "ORDERS_SQL". */
export function enclosingNames(file: string, text: string): (offset: number) => string | undefined {
  if (!/\.(c|m)?(t|j)sx?$/i.test(file)) return () => undefined;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, /\.[cm]?jsx?$/i.test(file) ? ts.ScriptKind.JSX : ts.ScriptKind.TSX);
  const named: Array<{ start: number; end: number; name: string }> = [];
  const isFunction = (node: ts.Node | undefined) => !!node && (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node));
  const visit = (node: ts.Node, topLevel: boolean): void => {
    let name: string | undefined;
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) name = node.name.text;
    else if ((ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isPropertyDeclaration(node)) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) name = node.name.text;
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && (topLevel || isFunction(node.initializer))) name = node.name.text;
    else if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && isFunction(node.initializer)) name = node.name.text;
    if (name) named.push({ start: node.getStart(source), end: node.end, name });
    const inFunctionOrClass = ts.isFunctionLike(node) || ts.isClassLike(node);
    ts.forEachChild(node, (child) => visit(child, topLevel && !inFunctionOrClass && !ts.isBlock(child)));
  };
  ts.forEachChild(source, (child) => visit(child, true));
  return (offset) => {
    const chain = named.filter((n) => n.start <= offset && offset < n.end).map((n) => n.name);
    return chain.length > 0 ? chain.join('.') : undefined;
  };
}

/** The plan's shape: node types, relations, indexes, joins, with cost and rows rounded. */
export function planShape(plan: ExplainedPlan, schema: SchemaFacts | undefined): BaselinePlan {
  const shape: string[] = [];
  const scans: BaselineScan[] = [];
  const joins: BaselineJoin[] = [];
  for (const { node, ancestors } of walkPlan(plan.root)) {
    const index = node.indexName ?? (node.nodeType === 'Bitmap Heap Scan' ? bitmapIndexOf(node) : undefined);
    const join = node.joinType && JOIN_NODES.has(node.nodeType) ? ` (${node.joinType})` : '';
    shape.push(`${'  '.repeat(ancestors.length)}${node.nodeType}${join}${node.relationName ? ` on ${node.relationName}` : ''}${node.indexName ? ` using ${node.indexName}` : ''}`);
    if (isScanNode(node)) {
      const rows = tableRows(schema, node);
      scans.push({ relation: node.relationName!, node: node.nodeType, ...(index ? { index } : {}), ...(rows !== undefined ? { tableRows: roundEstimate(rows) } : {}) });
    }
    if (JOIN_NODES.has(node.nodeType)) {
      joins.push({ method: node.nodeType, relations: relationsUnder(node), inputRows: roundEstimate(Math.max(0, ...node.children.map(inputRowsOf))) });
    }
  }
  return { cost: roundEstimate(plan.root.totalCost), rows: roundEstimate(plan.root.planRows), shape, scans, joins };
}

/** A Hash node passes its child's rows through: the join's input is what is hashed. */
function inputRowsOf(node: PlanNode): number {
  return node.nodeType === 'Hash' && node.children[0] ? node.children[0].planRows : node.planRows;
}

function bitmapIndexOf(node: PlanNode): string | undefined {
  for (const { node: below } of walkPlan(node)) if (below.nodeType === 'Bitmap Index Scan' && below.indexName) return below.indexName;
  return undefined;
}

function relationsUnder(node: PlanNode): string[] {
  const relations = new Set<string>();
  for (const { node: below } of walkPlan(node)) if (below.relationName) relations.add(below.relationName);
  return [...relations].sort();
}

/** The statement's text on one line, cut at 160 characters. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

export interface RecordOptions {
  root: string;
  /** Whether the file is a migration: its statements' locks are recorded. */
  isMigration: boolean;
}

/** The baseline's statements of one analysed file, in file order, keys unique within the file. */
export function statementsOfFile(analysis: FileAnalysis, text: string, options: RecordOptions): CurrentStatement[] {
  if (analysis.statements.length === 0) return [];
  const file = path.relative(options.root, analysis.file).split(path.sep).join('/');
  const nameAt = enclosingNames(analysis.file, text);
  const lockContext = lockContextFromSchemaFacts(analysis.schema, analysis.serverVersionNum);
  const seen = new Map<string, number>();
  const previous: ParsedStatement[] = [];
  const result: CurrentStatement[] = [];
  const lines = new LineIndex(text);
  for (const analysed of analysis.statements) {
    const statement = analysed.statement;
    const name = nameAt(analysed.fileStart);
    const fingerprint = statementFingerprint(statement.node);
    const base = `${file}#${name ?? ''}#${fingerprint}`;
    const repeat = (seen.get(base) ?? 0) + 1;
    seen.set(base, repeat);
    const findings = [
      ...new Set(analysis.findings.filter((f) => f.fileStart >= analysed.fileStart && f.fileStart <= analysed.fileEnd).map((f) => f.ruleId)),
    ].sort();
    const locks = options.isMigration ? locksOf(statement, previous, lockContext, analysis.schema) : undefined;
    previous.push(statement);
    result.push({
      key: repeat === 1 ? base : `${base}#${repeat}`,
      file,
      ...(name !== undefined ? { name } : {}),
      fingerprint,
      kind: statement.kind,
      sql: oneLine(statement.text),
      ...(analysed.plan ? { plan: planShape(analysed.plan, analysis.schema) } : {}),
      ...(locks && locks.length > 0 ? { locks } : {}),
      ...(findings.length > 0 ? { findings } : {}),
      absoluteFile: analysis.file,
      line: lines.positionAt(analysed.fileStart).line + 1,
      range: analysed.range,
      fileStart: analysed.fileStart,
      fileEnd: analysed.fileEnd,
    });
  }
  return result;
}

function locksOf(statement: ParsedStatement, previous: ParsedStatement[], context: ReturnType<typeof lockContextFromSchemaFacts>, schema: SchemaFacts | undefined): BaselineLock[] {
  if (/^(Select|Transaction|VariableSet|Explain)Stmt$/.test(statement.kind)) return [];
  // A table this file creates is empty when the migration runs, whatever the database's copy holds now.
  const created = new Set([...previous, statement].map((s) => s.node.CreateStmt?.relation?.relname).filter(Boolean));
  return locksForStatement(statement, { ...context, previousStatements: [...previous] })
    .locks.map((lock) => {
      const rows = schema && !created.has(lock.table) ? findTable(schema, lock.table, lock.schema)?.estimatedRows : undefined;
      return { table: lock.schema ? `${lock.schema}.${lock.table}` : lock.table, mode: lock.mode, ...(rows !== undefined ? { tableRows: roundEstimate(rows) } : {}) };
    })
    .sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : 0));
}

/** Settings that change what the planner picks (PostgreSQL docs, 20.7 Query Planning; work_mem in 20.4). */
const PLANNER_SETTINGS = [
  'seq_page_cost',
  'random_page_cost',
  'cpu_tuple_cost',
  'cpu_index_tuple_cost',
  'cpu_operator_cost',
  'effective_cache_size',
  'work_mem',
  'default_statistics_target',
  'from_collapse_limit',
  'join_collapse_limit',
  'geqo_threshold',
  'jit',
];

/** Which database the plans came from, its major version and the planner settings it plans with. */
export async function baselineDatabaseOf(database: DatabaseClient | undefined, limits: TransactionLimits): Promise<BaselineDatabase | null> {
  if (!database) return null;
  // An embedded database built to a production snapshot's statistics plans like production, not like synthetic rows.
  const kind = database.info.productionStatisticsOf ? 'snapshot' : database.info.kind === 'postgres' ? 'configured' : database.info.kind;
  let plannerSettings: Record<string, string> | undefined;
  try {
    const rows = await withReadOnlyTransaction(database, limits, (session) =>
      session.query<{ name: string; setting: string; unit: string | null }>(
        "select name, setting, unit from pg_settings where name = any($1::text[]) or name like 'enable\\_%' order by name",
        [PLANNER_SETTINGS],
      ),
    );
    plannerSettings = Object.fromEntries(rows.rows.map((row) => [row.name, row.unit ? `${row.setting} ${row.unit}` : row.setting]));
  } catch {
    plannerSettings = undefined; // settings unreadable: the baseline still records the plans
  }
  return { kind, serverMajor: Math.floor(database.info.serverVersionNum / 10000), ...(plannerSettings ? { plannerSettings } : {}) };
}

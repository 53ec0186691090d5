// "Explain Analyze Statement": runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) for the statement at the cursor, only
// when a person asks, inside a transaction that is always rolled back (engine db/explain.ts). Executing a statement
// can do what a rollback does not undo (sequences, advisory locks, dblink, files, other sessions) or write rows
// before the rollback: engine db/sideEffects.ts names all of it from the parse tree and pg_proc, and anything it
// names needs the person's confirmation first. The statement runs on a connection of its own that is closed
// afterwards, so session state it leaves (advisory locks, settings, prepared statements) cannot reach the pool.

import type { AnalyzedStatement } from '../engine/analyze';
import { isDatabaseFailure, type DatabaseClient, type DatabaseSession } from '../engine/db/client';
import { explainStatement } from '../engine/db/explain';
import { checkParameterValues, explainAnalyzeWithValues, inferParameterTypes, type ParameterValue } from '../engine/db/parameterValues';
import { describeExecutionRisks } from '../engine/db/sideEffects';
import { formatCount, type ExplainedPlan, type PlanNode } from '../engine/plan/model';
import { describeNode, nodeCondition } from './planRender';
import { buildPlanView, type PlanView, type PlanViewNode } from '../engine/plan/planView';
import { explainedPlanView, planViewOptions } from './planView';
import type { AnalyzedPlanNode, ExplainAnalyzeResult, StatementParameter } from './protocol';
import type { FolderContext } from './workspaceFolders';

/** workspace/executeCommand name of pglens/explainAnalyze (argument: ExplainAnalyzeParams), for editors without custom requests. */
export const EXPLAIN_ANALYZE_COMMAND = 'pglens.server.explainAnalyze';

const RUNNABLE_KINDS = ['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'];
/** EXPLAIN ANALYZE executes the statement: it gets a longer timeout than planning, but not an unbounded one. */
const ANALYZE_TIMEOUT_MS = 60_000;

/**
 * What the statement may do besides reading, or an empty list. A look-up that failed for the statement's sake is
 * itself a reason (pglens cannot vouch for functions it could not look up); a database that is down is an error.
 */
async function executionRisks(folder: FolderContext, database: DatabaseClient, statement: AnalyzedStatement): Promise<string[] | { error: string }> {
  try {
    return await describeExecutionRisks(database, statement.statement, {
      statementTimeoutMs: folder.config.database.statementTimeoutMs,
      lockTimeoutMs: folder.config.database.lockTimeoutMs,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (isDatabaseFailure(error)) return { error: `EXPLAIN ANALYZE needs the database, which did not answer: ${message}` };
    return [`pglens could not look up the functions it calls (${message}), so it cannot vouch for them`];
  }
}

/**
 * The database seen through one dedicated connection per EXPLAIN: explainStatement's session is a new connection,
 * closed afterwards. A statement with nothing to confirm also runs READ ONLY (default_transaction_read_only on that
 * connection, so explainStatement's BEGIN opens a read-only transaction): a write hidden where the look-up cannot
 * see (a STABLE function calling a volatile one) then fails instead of running.
 */
function dedicatedConnection(database: DatabaseClient, readOnly: boolean): DatabaseClient {
  const prepared = <T>(work: (session: DatabaseSession) => Promise<T>) => async (session: DatabaseSession) => {
    if (!readOnly) return work(session);
    await session.exec('SET default_transaction_read_only = on');
    try {
      return await work(session);
    } finally {
      // The connection is closed afterwards; the embedded database's single session is reset too. This is for both.
      await session.exec('RESET default_transaction_read_only').catch(() => undefined);
    }
  };
  return {
    info: database.info,
    withSession: (work, signal) => database.withDedicatedSession(prepared(work), signal),
    withDedicatedSession: (work, signal) => database.withDedicatedSession(prepared(work), signal),
    close: async () => undefined,
  };
}

/** What the person asked for besides the statement: whether they confirmed it, the parameters' values, a shorter timeout. */
export interface ExplainAnalyzeRequestOptions {
  confirmed: boolean;
  values?: unknown;
  timeoutMs?: unknown;
}

export async function runExplainAnalyze(folder: FolderContext, statement: AnalyzedStatement, request: ExplainAnalyzeRequestOptions): Promise<ExplainAnalyzeResult> {
  const text = statement.statement.text;
  if (!folder.database) {
    const reason = 'reason' in folder.state ? folder.state.reason : 'no database';
    return { statement: text, error: `EXPLAIN ANALYZE needs a database connection (${reason}).` };
  }
  if (!RUNNABLE_KINDS.includes(statement.statement.kind)) {
    return { statement: text, error: `${statement.statement.kind} is not a query EXPLAIN ANALYZE can run.` };
  }
  const limits = { statementTimeoutMs: folder.config.database.statementTimeoutMs, lockTimeoutMs: folder.config.database.lockTimeoutMs };
  const parameterCount = statement.statement.parameterCount;
  const values = parameterCount > 0 ? parameterValues(request.values, parameterCount) : [];
  if (typeof values === 'string') return { statement: text, error: values };
  if (values === undefined) {
    try {
      const types = await inferParameterTypes(folder.database, statement.statement, limits);
      return { statement: text, needsValues: { parameters: describeParameters(statement, types), fingerprint: statement.statement.textHash } };
    } catch (error) {
      return { statement: text, error: `EXPLAIN ANALYZE needs the database, which did not answer: ${(error as Error).message}` };
    }
  }
  // Looked up on every request, confirmed or not: whether it runs READ ONLY depends on it.
  const reasons = await executionRisks(folder, folder.database, statement);
  if (!Array.isArray(reasons)) return { statement: text, error: reasons.error };
  if (reasons.length > 0 && !request.confirmed) {
    // A bad value is said before the person is asked to confirm a statement that could never run with it.
    if (parameterCount > 0) {
      const problem = await checkParameterValues(folder.database, statement.statement, values, limits).then(
        () => undefined,
        (error: Error) => error.message,
      );
      if (problem) return { statement: text, error: problem };
    }
    return {
      statement: text,
      needsConfirmation: {
        statementKind: statement.statement.kind,
        reasons,
        reason: `${reasons.join('; ')}. EXPLAIN ANALYZE executes it on a connection of its own, closed afterwards, and rolls the transaction back; sequences still advance and what is done on other servers or outside the transaction stays done.`,
      },
    };
  }
  const defaultTimeoutMs = Math.max(limits.statementTimeoutMs, ANALYZE_TIMEOUT_MS);
  const requestedTimeoutMs = typeof request.timeoutMs === 'number' && request.timeoutMs > 0 ? request.timeoutMs : defaultTimeoutMs;
  const analyzeLimits = { statementTimeoutMs: Math.min(requestedTimeoutMs, defaultTimeoutMs), lockTimeoutMs: limits.lockTimeoutMs };
  const connection = dedicatedConnection(folder.database, reasons.length === 0);
  let parameters: StatementParameter[] | undefined;
  try {
    let plan: ExplainedPlan;
    if (parameterCount > 0) {
      const run = await explainAnalyzeWithValues(connection, statement.statement, values, analyzeLimits);
      plan = run.plan;
      parameters = describeParameters(statement, run.types, values);
    } else {
      plan = await explainStatement(connection, statement.statement, { ...analyzeLimits, analyze: true });
    }
    const planView = explainedPlanView(plan);
    const root = toAnalyzedNode(plan.root, planView);
    return {
      statement: text,
      ...(parameters ? { parameters } : {}),
      root,
      planningTimeMs: plan.planningTimeMs,
      executionTimeMs: plan.executionTimeMs,
      databaseLabel: plan.databaseLabel,
      planView,
      markdown: renderAnalyzedMarkdown(text, plan, root, parameters),
    };
  } catch (error) {
    return { statement: text, error: (error as Error).message };
  }
}

/**
 * The values of `$1..$n` from the request: undefined when none were sent (the person is to be asked), a one-line
 * problem when they cannot be used (a wrong count, a value that is neither text, a number, a boolean nor null).
 */
function parameterValues(given: unknown, count: number): ParameterValue[] | string | undefined {
  if (given === undefined || given === null) return undefined;
  if (!Array.isArray(given)) return '`values` must be a list: one value for each of $1…$' + count + '.';
  if (given.length === 0) return undefined;
  if (given.length !== count) return `The statement has ${count} parameter(s) ($1…$${count}); ${given.length} value(s) were given.`;
  const values: ParameterValue[] = [];
  for (const [i, value] of given.entries()) {
    if (value === null) values.push(null);
    else if (typeof value === 'string') values.push(value);
    else if (typeof value === 'number' || typeof value === 'boolean') values.push(String(value));
    else return `$${i + 1}: a value must be text, a number, a boolean or null.`;
  }
  return values;
}

/** Each $n with its inferred type and, for a site in JS/TS, the `${expression}` the finder turned into it. */
function describeParameters(statement: AnalyzedStatement, types: readonly string[], values?: readonly ParameterValue[]): StatementParameter[] {
  return types.map((type, i) => {
    const written = statement.statement.site.parameters.find((p) => p.index === i + 1);
    return {
      index: i + 1,
      type,
      ...(written ? { source: `\${${written.expressionText}}` } : {}),
      ...(values ? { value: values[i] } : {}),
    };
  });
}

/**
 * The EXPLAIN ANALYZE table's nodes with the plan view's times and slowest node (engine plan/planView.ts): wall-clock
 * time per loop x loops, where under a Gather each process (workers and leader) is a loop of its own running at the same
 * time as the others, so loops are divided by the processes (a parallel scan would otherwise show 600 ms in a 210 ms
 * query); a node's own time is its time minus its children's, InitPlans and SubPlans included, a CTE's time taken from
 * the CTE Scan that ran it. One computation for the table, the markdown and the plan view.
 */
export function toAnalyzedNode(root: PlanNode, view: PlanView = buildPlanView(root, planViewOptions())): AnalyzedPlanNode {
  const convert = (node: PlanNode, viewNode: PlanViewNode): AnalyzedPlanNode => ({
    label: describeNode(node),
    detail: nodeCondition(node),
    estimatedRows: node.planRows,
    actualRows: node.actualRows,
    loops: node.actualLoops,
    ...(viewNode.processes !== undefined ? { processes: viewNode.processes } : {}),
    totalTimeMs: viewNode.totalTimeMs,
    exclusiveTimeMs: viewNode.exclusiveTimeMs,
    ...(viewNode.slowest ? { slowest: true } : {}),
    children: node.children.map((child, i) => convert(child, viewNode.children[i])),
  });
  return convert(root, view.root);
}

function ms(value: number | undefined): string {
  return value === undefined ? '–' : value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}

/** Estimated against actual rows; a misestimate of 10x or more is flagged, the slowest node marked. */
export function renderAnalyzedMarkdown(statement: string, plan: ExplainedPlan, root: AnalyzedPlanNode, parameters?: readonly StatementParameter[]): string {
  const rows: string[] = [];
  const visit = (node: AnalyzedPlanNode, depth: number) => {
    const actual = node.actualRows !== undefined ? node.actualRows * (node.loops ?? 1) : undefined;
    const estimate = node.estimatedRows * (node.loops ?? 1);
    const ratio = actual !== undefined && actual > 0 && estimate > 0 ? Math.max(actual / estimate, estimate / actual) : 1;
    const indent = depth === 0 ? '' : `${'&nbsp;&nbsp;&nbsp;'.repeat(depth - 1)}└─ `;
    const name = `${indent}${node.slowest ? '**' : ''}${escapeCell(node.label)}${node.slowest ? '** 🐢 slowest' : ''}`;
    rows.push(
      `| ${name} | ${formatCount(node.estimatedRows)} | ${actual !== undefined ? formatCount(node.actualRows!) : '–'}${ratio >= 10 ? ' ⚠️' : ''} | ${node.loops ?? '–'} | ${ms(node.exclusiveTimeMs)} | ${ms(node.totalTimeMs)} |`,
    );
    if (node.detail) rows.push(`| ${'&nbsp;&nbsp;&nbsp;'.repeat(depth + 1)}*${escapeCell(node.detail)}* | | | | | |`);
    node.children.forEach((c) => visit(c, depth + 1));
  };
  visit(root, 0);
  return [
    '# pglens · EXPLAIN ANALYZE',
    '',
    '```sql',
    statement,
    '```',
    '',
    ...(parameters?.length ? [parameterLines(parameters), ''] : []),
    `Executed on ${plan.databaseLabel} (PostgreSQL ${plan.serverVersion}) inside a transaction that was rolled back.`,
    `Planning ${ms(plan.planningTimeMs)} · execution ${ms(plan.executionTimeMs)}.`,
    '',
    '| Node | Est. rows | Actual rows | Loops | Time (self) | Time (total) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Rows are per loop; ⚠️ marks an estimate off by 10x or more; 🐢 marks the node that spent the most time itself.',
  ].join('\n');
}

/** `$1` (integer, from `${userId}`) = `42`: the values bound, one per line. */
export function parameterLines(parameters: readonly StatementParameter[]): string {
  return parameters
    .map((p) => `- \`$${p.index}\` (${p.type}${p.source ? `, from \`${p.source}\`` : ''}) = ${p.value === null ? '`NULL`' : `\`${p.value ?? ''}\``}`)
    .join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/([*_`])/g, '\\$1');
}

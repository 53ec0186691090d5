// `lower(email) = $1` with an index on email, `created_at::date = $1` with an index on created_at: a btree index
// stores the column's values, not the function's, so wrapping the column hides the index and the table is read end
// to end. Either compare the bare column (a range instead of a cast) or index the expression itself.

import type { AstNode, ParsedStatement } from '../../parse/parse';
import { walkAst } from '../../parse/parse';
import { findTable, indexesOf, type IndexFacts, type SchemaFacts, type TableFacts } from '../../db/schemaFacts';
import { formatCost, formatCount, walkPlan, type ExplainedPlan, type PlanNode } from '../../plan/model';
import { spanOfNode, visitObjects } from '../anchor';
import type { Rule } from '../rule';
import { clipForHeadline } from '../../findingText';

const COMPARISONS = new Set(['=', '<', '>', '<=', '>=', '~~', '~~*']);

export const functionOnIndexedColumn: Rule = {
  meta: {
    id: 'function-on-indexed-column',
    description: 'A predicate wraps an indexed column in a function or cast, so the index cannot be used.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Tables with fewer estimated rows are not reported.' },
    },
    asksAdvisor: true,
    messages: {
      hidesIndex: '{{expression}} hides {{table}}.{{column}} from its index {{index}}: Seq Scan of ~{{rows}} rows',
    },
  },
  check(context) {
    const minRows = Number(context.options.minRows);
    for (const { wrapped, table, index, span, expression, scan } of indexesHiddenByWrappers(context.statement, context.plan!, context.schema, minRows)) {
      const advice = wrapped.isCast
        ? `Compare the bare column instead, e.g. a range (${wrapped.column} >= $x AND ${wrapped.column} < $x + interval '1 day' for a date), so ${index.name} can serve it.`
        : `Compare the bare column, or index the expression: CREATE INDEX ON ${table.name} ((${expression})).`;
      context.report({
        messageId: 'hidesIndex',
        data: { expression: clipForHeadline(expression, 32), table: table.name, column: wrapped.column, index: index.name, rows: formatCount(table.estimatedRows) },
        details: [
          { kind: 'evidence', text: `The index holds ${wrapped.column}, not ${expression}, so PostgreSQL reads all ~${formatCount(table.estimatedRows)} rows of ${table.name} (Seq Scan, estimated cost ${formatCost(scan.totalCost)}).` },
          { kind: 'suggestion', text: advice },
        ],
        start: span.start,
        end: span.end,
        evidence: { table: table.name, column: wrapped.column, index: index.name, expression, cast: wrapped.isCast, scanCost: scan.totalCost },
      });
    }
  },
};

export interface HiddenIndex {
  wrapped: WrappedColumn;
  table: TableFacts;
  index: IndexFacts;
  span: { start: number; end: number };
  expression: string;
  scan: PlanNode;
}

/**
 * Predicates that wrap a column with a btree index in a function or cast, where the plan then scans the table
 * sequentially and no index on the expression exists. seq-scan-large-table asks this too, so one scan is reported once.
 */
export function indexesHiddenByWrappers(statement: ParsedStatement, plan: ExplainedPlan, schema: SchemaFacts | undefined, minRows: number): HiddenIndex[] {
  if (!schema) return [];
  const found: HiddenIndex[] = [];
  const relations = relationsOf(statement);
  for (const wrapped of wrappedColumns(statement.node)) {
    const table = resolveTable(schema, relations, wrapped.qualifier, wrapped.column);
    if (!table || table.estimatedRows < minRows) continue;
    const index = indexesOf(schema, table).find((i) => i.method === 'btree' && i.keys[0] === wrapped.column && !i.predicate);
    if (!index) continue;
    const span = spanOfNode(statement, wrapped.wrapper);
    if (!span) continue;
    const expression = statement.site.text.slice(span.start, span.end);
    const normalized = normalizeExpression(expression);
    // An index on the expression itself serves it. Plain-column keys are not expressions: normalizing strips a
    // trailing cast, so without this check `created_at::date` would match the index on created_at.
    // A key that is a column's name (schema facts give plain keys by attname: `Created At`, unquoted) is no expression.
    const isColumn = (k: string) => isPlainColumn(k) || table.columns.some((c) => c.name === k);
    if (indexesOf(schema, table).some((i) => i.keys.some((k) => !isColumn(k) && normalizeExpression(k) === normalized))) continue;
    const scan = [...walkPlan(plan.root)].map(({ node }) => node).find((n) => n.relationName === table.name && n.nodeType === 'Seq Scan');
    if (!scan) continue;
    found.push({ wrapped, table, index, span, expression, scan });
  }
  return found;
}

interface WrappedColumn {
  wrapper: AstNode;
  qualifier?: string;
  column: string;
  isCast: boolean;
}

/** Function calls and casts applied directly to a column, on either side of a comparison. */
function wrappedColumns(statement: AstNode): WrappedColumn[] {
  const found: WrappedColumn[] = [];
  walkAst(statement, (type, body) => {
    if (type !== 'A_Expr') return;
    const operator = body.name?.[0]?.String?.sval;
    const comparison = (body.kind === 'AEXPR_OP' && COMPARISONS.has(operator)) || body.kind === 'AEXPR_IN' || body.kind === 'AEXPR_LIKE' || body.kind === 'AEXPR_ILIKE' || body.kind === 'AEXPR_BETWEEN';
    if (!comparison) return;
    for (const side of [body.lexpr, body.rexpr]) {
      const wrapped = columnInsideWrapper(side);
      if (wrapped) found.push(wrapped);
    }
  });
  return found;
}

function columnInsideWrapper(node: AstNode): WrappedColumn | undefined {
  if (!node || typeof node !== 'object') return undefined;
  if (node.TypeCast) {
    const column = columnRef(node.TypeCast.arg);
    return column ? { wrapper: node, ...column, isCast: true } : undefined;
  }
  if (node.FuncCall) {
    const args = (node.FuncCall.args ?? []) as AstNode[];
    const columns = args.map(columnRef).filter((c): c is { qualifier?: string; column: string } => c !== undefined);
    // Only calls over one column (plus constants): date_trunc('day', created_at), lower(email).
    if (columns.length !== 1 || args.some((a) => !columnRef(a) && !a.A_Const && !a.TypeCast?.arg?.A_Const)) return undefined;
    return { wrapper: node, ...columns[0], isCast: false };
  }
  return undefined;
}

function columnRef(node: AstNode): { qualifier?: string; column: string } | undefined {
  const fields = node?.ColumnRef?.fields as AstNode[] | undefined;
  if (!fields || fields.some((f) => !f.String)) return undefined;
  const names = fields.map((f) => f.String.sval as string);
  return { column: names[names.length - 1], qualifier: names.length > 1 ? names[names.length - 2] : undefined };
}

/** alias or name as written → table name, for every table the statement reads. */
export function relationsOf(statement: ParsedStatement): Map<string, { name: string; schema?: string }> {
  const relations = new Map<string, { name: string; schema?: string }>();
  visitObjects(statement.node, (body) => {
    if (typeof body.relname !== 'string') return;
    const entry = { name: body.relname as string, schema: body.schemaname as string | undefined };
    relations.set(body.alias?.aliasname ?? body.relname, entry);
  });
  return relations;
}

function resolveTable(
  schema: SchemaFacts,
  relations: Map<string, { name: string; schema?: string }>,
  qualifier: string | undefined,
  column: string,
): TableFacts | undefined {
  if (qualifier) {
    const relation = relations.get(qualifier);
    return relation ? findTable(schema, relation.name, relation.schema) : undefined;
  }
  const candidates = [...relations.values()]
    .map((r) => findTable(schema, r.name, r.schema))
    .filter((t): t is TableFacts => t !== undefined && t.columns.some((c) => c.name === column));
  return candidates.length === 1 ? candidates[0] : undefined;
}

function isPlainColumn(key: string): boolean {
  return /^(?:[a-z_][\w$]*|"(?:[^"]|"")+")$/i.test(key.trim());
}

function normalizeExpression(text: string): string {
  return text.toLowerCase().replace(/[\s()"]/g, '').replace(/::[a-z ]+$/g, '');
}

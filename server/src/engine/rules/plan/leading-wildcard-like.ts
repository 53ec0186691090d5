// LIKE/ILIKE with a pattern that starts with a wildcard ('%term', '%' || $1 || '%') cannot use a btree index:
// the table is read end to end. A trigram index (pg_trgm, GIN) serves it, or a search column.

import type { AstNode } from '../../parse/parse';
import { walkAst } from '../../parse/parse';
import { formatCost, formatCount, walkPlan } from '../../plan/model';
import { columnsReferenced, spanOfNode } from '../anchor';
import type { Rule } from '../rule';
import { tableRows } from './planFacts';

export const leadingWildcardLike: Rule = {
  meta: {
    id: 'leading-wildcard-like',
    description: 'LIKE or ILIKE with a leading wildcard on a large table reads every row; no btree index can serve it.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    defaultOptions: { minRows: 10000 },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    const likes = leadingWildcardLikes(context.statement.node);
    if (likes.length === 0) return;
    for (const { node } of walkPlan(plan.root)) {
      if (!node.relationName || !/Seq Scan/.test(node.nodeType) || !node.filter || !/~~/.test(node.filter)) continue;
      const rows = tableRows(context.schema, node);
      if (rows === undefined || rows < minRows) continue;
      for (const like of likes) {
        const column = columnsReferenced(like.expression.lexpr)[0];
        if (column === undefined || !node.filter.includes(column)) continue;
        const span = spanOfNode(context.statement, { A_Expr: like.expression });
        const operator = like.ilike ? 'ILIKE' : 'LIKE';
        context.report({
          message:
            `${operator} with a leading wildcard on ${node.relationName}.${column} reads all ~${formatCount(rows)} rows (Seq Scan, estimated cost ${formatCost(node.totalCost)}): ` +
            `a btree index only serves patterns with a fixed prefix. A trigram index serves it: ` +
            `CREATE INDEX ON ${node.relationName} USING gin (${column} gin_trgm_ops) (needs the pg_trgm extension).`,
          start: span?.start,
          end: span?.end,
          evidence: { table: node.relationName, column, tableRows: rows, scanCost: node.totalCost, operator },
          fixes: [
            {
              title: `Copy trigram index for ${node.relationName}.${column}`,
              sql: `CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY ON ${node.relationName} USING gin (${column} gin_trgm_ops);`,
              verified: false,
            },
          ],
        });
        return;
      }
    }
  },
};

interface LikeExpression {
  expression: AstNode;
  ilike: boolean;
}

/** LIKE/ILIKE (and ~~ / ~~*) whose pattern starts with % or _, written as a literal or a concatenation. */
export function leadingWildcardLikes(statement: AstNode): LikeExpression[] {
  const found: LikeExpression[] = [];
  walkAst(statement, (type, body) => {
    if (type !== 'A_Expr') return;
    const operator = body.name?.[0]?.String?.sval;
    const isLike = body.kind === 'AEXPR_LIKE' || operator === '~~';
    const isIlike = body.kind === 'AEXPR_ILIKE' || operator === '~~*';
    if (!isLike && !isIlike) return;
    if (operator === '!~~' || operator === '!~~*') return;
    if (startsWithWildcard(body.rexpr)) found.push({ expression: body, ilike: isIlike });
  });
  return found;
}

function startsWithWildcard(node: AstNode): boolean {
  if (!node) return false;
  const literal = node.A_Const?.sval?.sval;
  if (typeof literal === 'string') return literal.startsWith('%') || literal.startsWith('_');
  if (node.TypeCast) return startsWithWildcard(node.TypeCast.arg);
  const concat = node.A_Expr;
  if (concat && concat.name?.[0]?.String?.sval === '||') return startsWithWildcard(concat.lexpr);
  const call = node.FuncCall;
  if (call && call.funcname?.at(-1)?.String?.sval === 'concat') return startsWithWildcard(call.args?.[0]);
  return false;
}

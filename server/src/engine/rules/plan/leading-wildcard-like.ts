// LIKE/ILIKE with a pattern that starts with a wildcard ('%term', '%' || $1 || '%') cannot use a btree index:
// the table is read end to end. A trigram index (pg_trgm, GIN) serves it, or a search column.

import type { AstNode } from '../../parse/parse';
import { walkAst } from '../../parse/parse';
import { formatCost, formatCount, walkPlan } from '../../plan/model';
import { columnsReferenced, spanOfNode } from '../anchor';
import type { Rule } from '../rule';
import { likePattern } from '../../likePattern';
import { quoteIdentifier, quoteQualifiedName } from '../../sqlText';
import type { TemplateParameter } from '../../types';
import { tableRows } from './planFacts';

export const leadingWildcardLike: Rule = {
  meta: {
    id: 'leading-wildcard-like',
    description: 'LIKE or ILIKE with a leading wildcard on a large table reads every row; no btree index can serve it.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Tables with fewer estimated rows are not reported.' },
    },
    fixable: true,
    asksAdvisor: true,
    messages: {
      leadingWildcard: '{{operator}} with a leading wildcard on {{table}}.{{column}} reads all ~{{rows}} rows (estimated cost {{cost}})',
    },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    const likes = leadingWildcardLikes(context.statement.node, context.statement.site.parameters);
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
        const table = quoteQualifiedName(node.schema, node.relationName, 'public');
        const createIndex = `CREATE INDEX ON ${table} USING gin (${quoteIdentifier(column)} gin_trgm_ops)`;
        context.report({
          messageId: 'leadingWildcard',
          data: { operator, table: node.relationName, column, rows: formatCount(rows), cost: formatCost(node.totalCost) },
          details: [
            { kind: 'evidence', text: 'The plan is a Seq Scan: a btree index only serves patterns with a fixed prefix.' },
            like.trigramUsable
              ? { kind: 'suggestion', text: `A trigram index serves it: ${createIndex} (needs the pg_trgm extension).` }
              : // pg_trgm extracts no trigram from a run of fewer than 3 literal characters: the index would be read whole.
                {
                  kind: 'suggestion',
                  text: 'Its pattern has fewer than 3 literal characters in a row, so a trigram index cannot narrow it either: match a stored, indexed value instead (a column or expression for what the pattern looks for).',
                },
          ],
          start: span?.start,
          end: span?.end,
          evidence: { table: node.relationName, column, tableRows: rows, scanCost: node.totalCost, operator, trigramUsable: like.trigramUsable },
          fixes: like.trigramUsable
            ? [
                {
                  title: `Copy trigram index for ${node.relationName}.${column}`,
                  sql: `CREATE EXTENSION IF NOT EXISTS pg_trgm;\n${createIndex.replace(/^CREATE INDEX/, 'CREATE INDEX CONCURRENTLY')};`,
                  verified: false,
                },
              ]
            : undefined,
        });
        return;
      }
    }
  },
};

interface LikeExpression {
  expression: AstNode;
  ilike: boolean;
  trigramUsable: boolean;
}

/**
 * LIKE/ILIKE (and ~~ / ~~*) whose pattern starts with % or _: a literal, a concatenation, or a template parameter
 * whose code starts with a wildcard (`ILIKE ${'%' + q + '%'}`).
 */
export function leadingWildcardLikes(statement: AstNode, parameters: readonly TemplateParameter[] = []): LikeExpression[] {
  const found: LikeExpression[] = [];
  walkAst(statement, (type, body) => {
    if (type !== 'A_Expr') return;
    const operator = body.name?.[0]?.String?.sval;
    const isLike = body.kind === 'AEXPR_LIKE' || operator === '~~';
    const isIlike = body.kind === 'AEXPR_ILIKE' || operator === '~~*';
    if (!isLike && !isIlike) return;
    if (operator === '!~~' || operator === '!~~*') return;
    const pattern = likePattern(body.rexpr, parameters);
    if (pattern.shape === 'leading-wildcard') found.push({ expression: body, ilike: isIlike, trigramUsable: pattern.trigramUsable });
  });
  return found;
}

// Two large row sources joined with nothing relating them: every row of one is paired with every row of the
// other. Usually a forgotten ON clause or a comma join whose WHERE condition was lost in an edit.

import { formatCost, formatCount, walkPlan, type PlanNode } from '../../plan/model';
import { findRelationReference } from '../anchor';
import { walkAst, type AstNode } from '../../parse/parse';
import type { Rule } from '../rule';

const CONDITION_KEYS = ['indexCond', 'filter', 'recheckCond', 'joinFilter', 'hashCond', 'mergeCond', 'tidCond'] as const;

export const joinWithoutCondition: Rule = {
  meta: {
    id: 'join-without-condition',
    description: 'Two row sources are joined without a join condition (a cartesian product).',
    defaultSeverity: 'error',
    category: 'correctness',
    kind: 'plan',
    options: {
      minProductRows: { type: 'integer', minimum: 0, default: 100000, description: 'Joins whose inputs multiply to fewer estimated rows are not reported.' },
    },
    messages: {
      crossJoin: '{{outer}} and {{inner}} are joined without a join condition: ~{{rows}} row pairs (estimated cost {{cost}})',
    },
  },
  check(context) {
    const plan = context.plan!;
    // `CROSS JOIN` (or `JOIN ... ON true`) is a product the code asks for: a calendar by a list of plans, a few
    // settings by every row. Only a product nobody wrote down is a mistake worth an error.
    if (hasExplicitCrossJoin(context.statement.node)) return;
    const minProduct = Number(context.options.minProductRows);
    for (const { node } of walkPlan(plan.root)) {
      if (node.nodeType !== 'Nested Loop' || node.children.length < 2) continue;
      const [outer, inner] = node.children;
      if (outer.planRows <= 1 || inner.planRows <= 1) continue;
      if (outer.planRows * inner.planRows < minProduct) continue;
      const outerNames = relationNames(outer);
      if (outerNames.length === 0) continue;
      const conditions = [node.joinFilter ?? '', ...conditionsIn(inner)].join(' ');
      if (outerNames.some((name) => conditions.includes(`${name}.`))) continue;
      const innerScan = [...walkPlan(inner)].map(({ node: n }) => n).find((n) => n.relationName);
      const outerScan = [...walkPlan(outer)].map(({ node: n }) => n).find((n) => n.relationName);
      if (!innerScan?.relationName || !outerScan?.relationName) continue;
      const span = findRelationReference(context.statement, innerScan.relationName, innerScan.alias);
      context.report({
        messageId: 'crossJoin',
        data: { outer: outerScan.relationName, inner: innerScan.relationName, rows: formatCount(node.planRows), cost: formatCost(node.totalCost) },
        details: [
          { kind: 'evidence', text: `Each of ~${formatCount(outer.planRows)} rows is paired with each of ~${formatCount(inner.planRows)} rows.` },
          { kind: 'suggestion', text: 'Add the ON or WHERE condition that relates them.' },
        ],
        start: span?.start,
        end: span?.end,
        // On generated rows (every table tens of thousands) the size of the product is pglens's, not the team's: two
        // lookup tables of a few rows each would make it harmless. The missing condition is certain, its cost is not.
        ...(plan.syntheticRows ? { severity: 'warning' as const } : {}),
        evidence: { outer: outerScan.relationName, inner: innerScan.relationName, outerRows: outer.planRows, innerRows: inner.planRows, joinRows: node.planRows },
      });
      return;
    }
  },
};

/** Aliases (or names) of the relations scanned under a node: what a join condition would mention. */
function relationNames(node: PlanNode): string[] {
  const names: string[] = [];
  for (const { node: n } of walkPlan(node)) {
    if (n.alias) names.push(n.alias);
    else if (n.relationName) names.push(n.relationName);
  }
  return names;
}

function conditionsIn(node: PlanNode): string[] {
  const found: string[] = [];
  for (const { node: n } of walkPlan(node)) {
    for (const key of CONDITION_KEYS) {
      const value = n[key];
      if (value !== undefined) found.push(value);
    }
  }
  return found;
}

/** A join the statement writes as a product: CROSS JOIN, or an inner JOIN whose condition is the constant true. */
function hasExplicitCrossJoin(node: AstNode): boolean {
  let found = false;
  walkAst(node, (type, body) => {
    if (found || type !== 'JoinExpr' || body.jointype !== 'JOIN_INNER' || body.isNatural || body.usingClause) return;
    const quals = body.quals;
    if (quals === undefined || quals?.A_Const?.boolval?.boolval === true || (quals?.TypeCast && quals.TypeCast.arg?.A_Const?.sval?.sval === 't')) found = true;
  });
  return found;
}

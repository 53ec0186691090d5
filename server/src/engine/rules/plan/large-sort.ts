// Sorting a large input to answer ORDER BY: a full sort spills to disk past work_mem, and a top-N sort under LIMIT
// still reads every row to return a handful. An index on the sort key returns rows already in order.

import { formatCost, formatCount, walkPlan, type PlanNode } from '../../plan/model';
import { spanOfNode } from '../anchor';
import type { Rule } from '../rule';
import { clipForHeadline } from '../../findingText';
import { totalPlanRows } from './planFacts';
import { expressionColumns, isSystemColumn } from '../../sqlText';

/** Nodes that pass rows through in order, so a Sort under them still serves the statement's ORDER BY. */
const ORDER_PRESERVING = new Set(['Limit', 'Result', 'Gather Merge', 'Unique', 'LockRows', 'Subquery Scan', 'Incremental Sort']);

export const largeSort: Rule = {
  meta: {
    id: 'large-sort',
    description: 'ORDER BY sorts a large input (a full sort, or a top-N sort under LIMIT that still reads every row).',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 50000, description: 'Sorts of fewer estimated input rows are not reported.' },
    },
    asksAdvisor: true,
    messages: {
      sorts: 'Sorts ~{{rows}} rows by {{keys}} (estimated cost {{cost}})',
      sortsTable: 'Sorts ~{{rows}} rows of {{table}} by {{keys}} (estimated cost {{cost}})',
      sortsForLimit: 'Sorts ~{{rows}} rows to return {{limit}} by {{keys}} (estimated cost {{cost}})',
      sortsTableForLimit: 'Sorts ~{{rows}} rows of {{table}} to return {{limit}} by {{keys}} (estimated cost {{cost}})',
    },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    const body = context.statement.node[context.statement.kind];
    const sortClause = body?.sortClause as unknown[] | undefined;
    if (!sortClause || sortClause.length === 0) return;
    for (const { node, ancestors } of walkPlan(plan.root)) {
      if (node.nodeType !== 'Sort') continue;
      if (!ancestors.every((a) => ORDER_PRESERVING.has(a.nodeType))) continue;
      const input = node.children[0];
      if (!input) continue;
      const inputRows = totalPlanRows(input, [...ancestors, node]);
      if (inputRows < minRows) continue;
      const limit = ancestors.find((a) => a.nodeType === 'Limit');
      const keys = (node.sortKey ?? []).join(', ');
      // ORDER BY ctid (or another system column): no index returns rows in that order.
      if ((node.sortKey ?? []).some(sortsBySystemColumn)) return;
      const relation = relationsUnder(input);
      const first = spanOfNode(context.statement, sortClause[0]);
      const last = spanOfNode(context.statement, sortClause[sortClause.length - 1]);
      // SortBy has no location of its own: take ASC/DESC and NULLS FIRST/LAST that follow the last key along.
      const direction = last ? /^\s+(?:asc|desc)(?:\s+nulls\s+(?:first|last))?\b|^\s+nulls\s+(?:first|last)\b/i.exec(context.statement.site.text.slice(last.end, last.end + 40)) : null;
      if (last && direction) last.end += direction[0].length;
      // The statement's cost, the one the advisor's "cuts the estimated cost from" starts at (the Sort's own is higher
      // under a Limit, and two costs for one statement read as a contradiction).
      context.report({
        messageId: `sorts${relation ? 'Table' : ''}${limit ? 'ForLimit' : ''}`,
        data: { rows: formatCount(inputRows), table: relation, limit: limit ? formatCount(limit.planRows) : undefined, keys: clipForHeadline(keys || 'the sort key'), cost: formatCost(plan.root.totalCost) },
        details: [
          { kind: 'evidence', text: limit ? 'A top-N sort under LIMIT still reads every row.' : 'A full sort spills to disk once it outgrows work_mem.' },
          { kind: 'suggestion', text: `An index on ${keys ? `(${keys})` : 'the sort key'} would return them already in order.` },
        ],
        start: first?.start,
        end: last?.end,
        evidence: { inputRows, sortKey: node.sortKey, limit: limit?.planRows, sortCost: node.totalCost, statementCost: plan.root.totalCost },
      });
      return;
    }
  },
};

function relationsUnder(node: PlanNode): string | undefined {
  const names = new Set<string>();
  for (const { node: n } of walkPlan(node)) if (n.relationName) names.add(n.relationName);
  return names.size > 0 && names.size <= 2 ? [...names].join(' and ') : undefined;
}

/** A plan's sort key (`t.ctid`, `(xmin)::text DESC NULLS LAST`) over a system column. */
function sortsBySystemColumn(key: string): boolean {
  const expression = key.replace(/(?:\s+USING\s+\S+|\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?$/, '');
  return expressionColumns(expression)?.some((ref) => isSystemColumn(ref.column)) ?? false;
}

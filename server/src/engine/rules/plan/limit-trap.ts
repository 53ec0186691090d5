// The LIMIT trap: `WHERE status = 'pending' ORDER BY created_at LIMIT 50` with an index on created_at only. The
// planner walks that index in sort order and filters row by row, betting that matching rows are spread evenly so the
// first 50 come early: its cost is the expected rows read, LIMIT / selectivity. When matches are rare, clustered
// (one tenant's rows) or at the other end of the sort order, the walk reads most of the index and the heap behind
// it. The plan shape is an innocent Index Scan under a Limit, and its cost looks small: no other rule fires.

import { BLOCKING_NODES } from '../../plan/effectiveCost';
import { formatCost, formatCount, walkPlan, type PlanNode } from '../../plan/model';
import { findRelationReference } from '../anchor';
import { comparesOnlySystemColumns } from '../../sqlText';
import type { Rule } from '../rule';
import { percent, readableCondition, tableRows, totalPlanRows } from './planFacts';

export const limitTrap: Rule = {
  meta: {
    id: 'limit-trap',
    description: 'LIMIT over an index scan in sort order that filters rows: cheap only if matches come early; when they are rare it reads most of the table.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Tables with fewer estimated rows are not reported.' },
      minHiddenRatio: { type: 'number', minimum: 1, default: 10, description: "How many times the walk to the end must cost more than the planner's LIMIT estimate." },
      minWorstCost: { type: 'number', minimum: 0, default: 1000, description: 'Walks whose whole cost is lower are not reported.' },
    },
    asksAdvisor: true,
    messages: {
      limitWalksIndex: 'LIMIT {{limit}} walks {{index}} on {{table}} filtering rows: cheap only if matches come early',
    },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    const minHiddenRatio = Number(context.options.minHiddenRatio);
    const minWorstCost = Number(context.options.minWorstCost);
    for (const { node: limit } of walkPlan(plan.root)) {
      if (limit.nodeType !== 'Limit' || limit.children.length === 0) continue;
      const scan = filteredOrderedScan(limit.children[0]);
      if (!scan?.relationName) continue;
      // A filter on system columns only (xmin): no index can start with it.
      if (scan.filter && comparesOnlySystemColumns(scan.filter)) continue;
      const rows = tableRows(context.schema, scan);
      if (rows === undefined || rows < minRows) continue;
      // The walk to the end: the scan's total cost (the planner's, for reading every entry of the index range).
      const worst = scan.totalCost;
      const planned = limit.totalCost;
      if (worst < minWorstCost || worst < planned * minHiddenRatio) continue;
      const matching = totalPlanRows(scan, []);
      const selectivity = rows > 0 ? matching / rows : 0;
      const wanted = Math.max(1, Math.round(limit.planRows));
      const expectedRead = selectivity > 0 ? Math.min(rows, Math.round(wanted / selectivity)) : rows;
      const span = findRelationReference(context.statement, scan.relationName, scan.alias);
      context.report({
        messageId: 'limitWalksIndex',
        data: { limit: formatCount(wanted), index: scan.indexName ?? 'an index', table: scan.relationName },
        details: [
          {
            kind: 'evidence',
            text:
              `The planner walks ${scan.indexName ?? 'the index'} in sort order and keeps rows where ${readableCondition(scan.filter!)} (~${percent(selectivity)} of ~${formatCount(rows)}). ` +
              `It expects the first ${formatCount(wanted)} within ~${formatCount(expectedRead)} rows (estimated cost ${formatCost(planned)}); when matching rows are rare, clustered or at the other end of the order, ` +
              `it reads up to all of them (cost ${formatCost(worst)}, ${Math.round(worst / Math.max(planned, 0.01))}x).`,
          },
          {
            kind: 'suggestion',
            text: 'An index that starts with the filtered columns and ends with the sort column (or a partial index on a constant filter) finds the page directly.',
          },
        ],
        start: span?.start,
        end: span?.end,
        evidence: {
          table: scan.relationName,
          tableRows: rows,
          index: scan.indexName,
          filter: scan.filter,
          selectivity,
          limitRows: wanted,
          expectedRowsRead: expectedRead,
          plannedCost: planned,
          worstCaseCost: worst,
        },
      });
    }
  },
};

/** The index scan under a Limit that returns rows in index order and filters them, with nothing blocking between. */
function filteredOrderedScan(node: PlanNode): PlanNode | undefined {
  if (BLOCKING_NODES.has(node.nodeType)) return undefined;
  if ((node.nodeType === 'Index Scan' || node.nodeType === 'Index Only Scan') && node.filter) return node;
  // Through nodes that stream their outer input in order (a nested loop's outer side, a projection, a Gather).
  const streaming = node.children.filter((c) => c.parentRelationship !== 'InitPlan' && c.parentRelationship !== 'SubPlan');
  if (streaming.length === 0) return undefined;
  return filteredOrderedScan(streaming[0]);
}

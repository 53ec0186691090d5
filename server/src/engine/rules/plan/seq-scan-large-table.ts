// A sequential scan of a large table that keeps few of its rows: the classic missing index. Whole-table
// reads (no filter, or a filter that keeps most rows) are what a Seq Scan is for and stay quiet.

import { formatCost, formatCount, walkPlan } from '../../plan/model';
import { findRelationReference } from '../anchor';
import { indexesHiddenByWrappers } from './function-on-indexed-column';
import { leadingWildcardLikes } from './leading-wildcard-like';
import type { Rule } from '../rule';
import { comparesOnlySystemColumns } from '../../sqlText';
import { clipForHeadline } from '../../findingText';
import type { FindingDetail } from '../../types';
import { hasLeadingWildcardLike, isUnderNestedLoopInner, limitAbove, percent, readableCondition, tableRows, totalPlanRows } from './planFacts';

export const seqScanLargeTable: Rule = {
  meta: {
    id: 'seq-scan-large-table',
    description: 'A sequential scan of a large table keeps only a small share of its rows: an index is likely missing.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Tables with fewer estimated rows are not reported.' },
      maxSelectivity: { type: 'number', minimum: 0, maximum: 1, default: 0.05, description: 'Scans that keep a larger share of the rows than this (0.05 = 5%) are whole-table reads and not reported.' },
      minScanCost: { type: 'number', minimum: 0, default: 1000, description: 'Scans of a lower estimated cost are not reported.' },
    },
    asksAdvisor: true,
    messages: {
      seqScan: 'Seq Scan on {{table}} reads all ~{{rows}} rows to keep ~{{kept}} ({{share}}) where {{condition}}',
    },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    const maxSelectivity = Number(context.options.maxSelectivity);
    // A scan cheaper than this (about 30k narrow rows) is not worth an index: nobody should act on it.
    const minScanCost = Number(context.options.minScanCost);
    // Scans caused by lower(email) on an indexed email are function-on-indexed-column's to explain.
    const hiddenIndexScans = new Set(indexesHiddenByWrappers(context.statement, plan, context.schema, minRows).map((hidden) => hidden.scan));
    // `ILIKE ${'%' + q + '%'}`: the plan's filter shows only `~~* $1`; the statement says it is a leading wildcard.
    const parameterWildcard = leadingWildcardLikes(context.statement.node, context.statement.site.parameters).length > 0;
    for (const { node, ancestors } of walkPlan(plan.root)) {
      if (node.nodeType !== 'Seq Scan' || !node.relationName || !node.filter) continue;
      // Covered with better words by other rules: the inner side of a nested loop, rows found for UPDATE/DELETE,
      // and leading-wildcard LIKE (which no btree index can serve).
      if (isUnderNestedLoopInner(node, ancestors)) continue;
      if (ancestors.some((a) => a.nodeType === 'ModifyTable' || a.nodeType === 'LockRows')) continue;
      if (hasLeadingWildcardLike(node.filter) || (parameterWildcard && /~~/.test(node.filter))) continue;
      if (hiddenIndexScans.has(node)) continue;
      // `WHERE xmin::text = $1`: system columns cannot be indexed, so no index is missing.
      if (comparesOnlySystemColumns(node.filter)) continue;
      const rows = tableRows(context.schema, node);
      if (rows === undefined || rows < minRows || node.totalCost < minScanCost) continue;
      const kept = totalPlanRows(node, ancestors);
      const selectivity = kept / rows;
      if (selectivity > maxSelectivity) continue;
      const limit = limitAbove(ancestors);
      const span = findRelationReference(context.statement, node.relationName, node.alias);
      const condition = readableCondition(node.filter);
      const details: FindingDetail[] = [{ kind: 'evidence', text: `An index is likely missing (estimated cost ${formatCost(node.totalCost)}).` }];
      if (clipForHeadline(condition) !== condition) details.unshift({ kind: 'evidence', text: `The whole condition: ${condition}.` });
      if (limit) {
        details.push({
          kind: 'evidence',
          text: `Under LIMIT the scan stops early only if matching rows come early; the plan's cost of ${formatCost(limit.totalCost)} assumes they are spread evenly, and with few or no matches it reads the whole table.`,
        });
      }
      context.report({
        messageId: 'seqScan',
        data: { table: node.relationName, rows: formatCount(rows), kept: formatCount(kept), share: percent(selectivity), condition: clipForHeadline(condition) },
        details,
        start: span?.start,
        end: span?.end,
        evidence: {
          table: node.relationName,
          tableRows: rows,
          estimatedRows: kept,
          selectivity,
          filter: node.filter,
          scanCost: node.totalCost,
          statementCost: plan.root.totalCost,
          underLimit: limit !== undefined,
        },
      });
    }
  },
};

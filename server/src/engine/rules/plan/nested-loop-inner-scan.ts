// A Nested Loop runs its inner side once per outer row. When that inner side scans a large table, the work is
// outer rows × table rows: fine for one outer row, a disaster for thousands. Usually the join column of the inner
// table has no index (so no Index Scan with the outer value as its condition).

import { estimatedLoops, formatCost, formatCount, walkPlan } from '../../plan/model';
import { findRelationReference } from '../anchor';
import { comparesOnlySystemColumns } from '../../sqlText';
import type { Rule } from '../rule';
import { readableCondition, tableRows } from './planFacts';

export const nestedLoopInnerScan: Rule = {
  meta: {
    id: 'nested-loop-inner-scan',
    description: 'A nested loop scans a large table on its inner side once per outer row.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Inner tables with fewer estimated rows are not reported.' },
      minLoops: { type: 'integer', minimum: 1, default: 2, description: 'Nested loops that run their inner side fewer times are not reported.' },
    },
    asksAdvisor: true,
    messages: {
      innerScan: 'Nested Loop scans all ~{{rows}} rows of {{table}} once for each of ~{{loops}} outer rows (estimated cost {{cost}})',
    },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    const minLoops = Number(context.options.minLoops);
    for (const { node, ancestors } of walkPlan(plan.root)) {
      // A Seq Scan, or an index scan with no index condition: both read the whole table on every pass.
      const fullIndexScan = /^Index (Only )?Scan/.test(node.nodeType) && !node.indexCond;
      if ((node.nodeType !== 'Seq Scan' && !fullIndexScan) || !node.relationName) continue;
      const loops = estimatedLoops(ancestors, node);
      if (loops < minLoops) continue;
      // A Materialize between the loop and the scan means the table is read once and kept in memory.
      const path = ancestors.slice(ancestors.findIndex((a) => a.nodeType === 'Nested Loop'));
      if (path.some((a) => a.nodeType === 'Materialize' || a.nodeType === 'Hash' || a.nodeType === 'Memoize')) continue;
      const rows = tableRows(context.schema, node);
      if (rows === undefined || rows < minRows) continue;
      const loop = [...ancestors].reverse().find((a) => a.nodeType === 'Nested Loop')!;
      const outer = loop.children[0];
      const condition = node.filter ?? loop.joinFilter;
      // Rows matched by ctid (or another system column): no index on the join column can exist.
      if (condition && comparesOnlySystemColumns(condition, node.alias ?? node.relationName)) continue;
      const span = findRelationReference(context.statement, node.relationName, node.alias);
      context.report({
        messageId: 'innerScan',
        data: { rows: formatCount(rows), table: node.relationName, loops: formatCount(loops), cost: formatCost(loop.totalCost) },
        details: [
          ...(fullIndexScan ? [{ kind: 'evidence' as const, text: `Each pass is a full pass over ${node.indexName}, with no index condition.` }] : []),
          ...(condition ? [{ kind: 'evidence' as const, text: `Each pass looks for rows matching ${readableCondition(condition)}.` }] : []),
          { kind: 'suggestion', text: `An index on the join column of ${node.relationName} turns each pass into an index lookup.` },
        ],
        start: span?.start,
        end: span?.end,
        evidence: { table: node.relationName, tableRows: rows, loops, outerRows: outer?.planRows, condition, loopCost: loop.totalCost },
      });
    }
  },
};

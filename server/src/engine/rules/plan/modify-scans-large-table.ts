// UPDATE, DELETE or SELECT ... FOR UPDATE that find their rows by reading a large table end to end. The statement
// visits every row, locks each one it changes until commit, and keeps the transaction open for as long as the scan
// takes: other writers queue behind it. This is the pattern of the incident that made pglens.

import { formatCost, formatCount, walkPlan, type PlanNode } from '../../plan/model';
import { findRelationReference, whereClauseOf } from '../anchor';
import type { Rule } from '../rule';
import { readableCondition, tableRows, totalPlanRows } from './planFacts';
import { comparesOnlySystemColumns } from '../../sqlText';

export const modifyScansLargeTable: Rule = {
  meta: {
    id: 'modify-scans-large-table',
    description: 'UPDATE, DELETE or SELECT ... FOR UPDATE finds its rows by scanning a large table, holding row locks and a long transaction.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'plan',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Tables with fewer estimated rows are not reported.' },
    },
    asksAdvisor: true,
    messages: {
      seqScan: '{{operation}} reads all ~{{rows}} rows of {{table}} with a Seq Scan (estimated cost {{cost}})',
      seqScanToFind: '{{operation}} reads all ~{{rows}} rows of {{table}} with a Seq Scan to find ~{{matched}} (estimated cost {{cost}})',
    },
  },
  check(context) {
    const plan = context.plan!;
    const minRows = Number(context.options.minRows);
    let top: PlanNode | undefined;
    let aboveTop: PlanNode[] = [];
    for (const { node, ancestors } of walkPlan(plan.root)) {
      if (node.nodeType === 'ModifyTable' || node.nodeType === 'LockRows') {
        top = node;
        aboveTop = [...ancestors]; // walkPlan reuses its ancestors array
        break;
      }
    }
    if (!top) return;
    const operation = top.nodeType === 'LockRows' ? 'SELECT ... FOR UPDATE' : (top.operation ?? '').toUpperCase();
    if (top.nodeType === 'ModifyTable' && operation !== 'UPDATE' && operation !== 'DELETE') return;
    for (const { node, ancestors } of walkPlan(top)) {
      if (node.nodeType !== 'Seq Scan' || !node.relationName) continue;
      // For ModifyTable only the scan of the target table finds the rows to change.
      if (top.nodeType === 'ModifyTable' && top.relationName !== undefined && node.relationName !== top.relationName) continue;
      const rows = tableRows(context.schema, node);
      if (rows === undefined || rows < minRows) continue;
      // `WHERE ctid IN (SELECT ctid ... LIMIT n)`, the batched delete: the rows are matched above the scan by their
      // row address, which no index can hold (PostgreSQL fetches them by TID when it expects few). The scan that
      // finds them is the subquery's, further down: that one is the finding, if any.
      if (!node.filter && matchedBySystemColumns(node, ancestors)) continue;
      const matched = totalPlanRows(node, [...aboveTop, ...ancestors]);
      const span = findRelationReference(context.statement, node.relationName, node.alias);
      context.report({
        messageId: node.filter ? 'seqScanToFind' : 'seqScan',
        data: { operation, rows: formatCount(rows), table: node.relationName, matched: `${formatCount(matched)} row${matched === 1 ? '' : 's'}`, cost: formatCost(node.totalCost) },
        details: [
          ...(node.filter ? [{ kind: 'evidence' as const, text: `The scan filters by ${readableCondition(node.filter)}.` }] : []),
          { kind: 'evidence', text: `Every row it changes stays locked until the transaction ends, and the scan keeps it open: concurrent writers to ${node.relationName} wait.` },
          {
            kind: 'suggestion',
            text: node.filter
              ? context.migration?.isMigration
                ? // A migration's statement runs once: an index built for it costs more than the one scan it saves.
                  'It runs once: batch it by key range so each transaction is short, rather than index for it.'
                : comparesOnlySystemColumns(node.filter)
                ? 'Its WHERE clause compares only system columns, which no index can hold: find the rows by a column of the table.'
                : 'Index the columns of the WHERE clause.'
              : whereClauseOf(context.statement) !== undefined
                ? // WHERE col IN (subquery) or a USING join: the rows are matched in a join above the scan, not filtered in it.
                  'Its WHERE clause is matched against every row in a join above the scan: index the column it compares.'
                : 'Without a WHERE clause it touches every row: batch it.',
          },
        ],
        start: span?.start,
        end: span?.end,
        evidence: { operation, table: node.relationName, tableRows: rows, estimatedRows: matched, filter: node.filter, scanCost: node.totalCost },
      });
      break;
    }
  },
};

/** Whether the nearest join above a scan matches its rows only by system columns of its table (`t.ctid = s.ctid`). */
function matchedBySystemColumns(scan: PlanNode, ancestors: readonly PlanNode[]): boolean {
  const qualifier = scan.alias ?? scan.relationName;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const join = ancestors[i];
    const condition = join.hashCond ?? join.mergeCond ?? join.joinFilter;
    if (condition) return comparesOnlySystemColumns(condition, qualifier);
  }
  return false;
}

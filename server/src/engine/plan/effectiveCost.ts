// A statement's cost where a LIMIT's early stop is only a hope: the index advisor judges candidates by it, and the
// index-would-help rule decides by it which statements are worth asking the advisor about.

import { walkPlan, type PlanNode } from './model';

/** Nodes that read all of their input before returning a row: under them a LIMIT cannot stop a scan early. */
export const BLOCKING_NODES = new Set(['Sort', 'Hash', 'Aggregate', 'HashAggregate', 'Materialize', 'SetOp', 'WindowAgg', 'Incremental Sort']);

/**
 * The statement's estimated cost where a LIMIT's early stop is only a hope: a Limit over a scan that filters rows
 * (a Seq Scan with a Filter, an index scan with a Filter) and no sort or hash in between costs as much as its input,
 * since with few or no matching rows the scan reads everything. A Limit over a sort already pays for all input, and a
 * Limit over an index scan without a filter really stops early; both keep the planner's cost.
 */
export function effectiveCost(root: PlanNode): number {
  let cost = root.totalCost;
  for (const { node } of walkPlan(root)) {
    if (node.nodeType !== 'Limit' || node.children.length === 0) continue;
    const input = node.children[0];
    if (hasFilteredStreamingScan(input)) cost += Math.max(0, input.totalCost - node.totalCost);
  }
  return cost;
}

function hasFilteredStreamingScan(node: PlanNode): boolean {
  if (BLOCKING_NODES.has(node.nodeType)) return false;
  if (node.relationName && /Scan$/.test(node.nodeType) && node.filter) return true;
  return node.children.filter((c) => c.parentRelationship !== 'InitPlan' && c.parentRelationship !== 'SubPlan').some(hasFilteredStreamingScan);
}

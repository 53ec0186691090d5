// Shared readings of a plan for the plan rules: how big the table behind a scan is, how many rows a node
// really produces (parallel nodes report per worker), and whether it sits under a LIMIT or a Nested Loop.

import { findTable, type SchemaFacts } from '../../db/schemaFacts';
import type { PlanNode } from '../../plan/model';

/** Rows the table holds: from the catalog when a database gave us schema facts, else from the plan itself. */
export function tableRows(schema: SchemaFacts | undefined, node: PlanNode): number | undefined {
  if (!node.relationName) return undefined;
  const table = schema ? findTable(schema, node.relationName, node.schema) : undefined;
  return table?.estimatedRows;
}

/**
 * Rows a node produces in total. A parallel-aware node's "Plan Rows" is per process: PostgreSQL divides the total by
 * the workers plus the leader's share, 1 - 0.3 × workers while positive (costsize.c, get_parallel_divisor).
 */
export function totalPlanRows(node: PlanNode, ancestors: readonly PlanNode[]): number {
  if (!node.parallelAware) return node.planRows;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const workers = ancestors[i].workersPlanned;
    if (workers !== undefined) return Math.round(node.planRows * parallelDivisor(workers));
  }
  return node.planRows;
}

export function parallelDivisor(workers: number): number {
  const leaderShare = 1 - 0.3 * workers;
  return workers + (leaderShare > 0 ? leaderShare : 0);
}

export function limitAbove(ancestors: readonly PlanNode[]): PlanNode | undefined {
  return ancestors.find((a) => a.nodeType === 'Limit');
}

/** True when the node is (inside) the inner side of a Nested Loop: it runs once per outer row. */
export function isUnderNestedLoopInner(node: PlanNode, ancestors: readonly PlanNode[]): boolean {
  let child = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i];
    if (parent.nodeType === 'Nested Loop' && parent.children[1] === child) return true;
    child = parent;
  }
  return false;
}

/** Whether a filter text holds a LIKE/ILIKE whose pattern starts with a wildcard (`~~ '%...'`). */
export function hasLeadingWildcardLike(filter: string | undefined): boolean {
  // A literal pattern ('%term') or a concatenation that starts with one (('%'::text || $1) || '%'::text).
  return filter !== undefined && /~~\*? \(*'[%_]/.test(filter);
}

/** The filter as people write it: drop the outer parentheses and PostgreSQL's ::text casts on literals. */
export function readableCondition(condition: string): string {
  let text = condition.trim();
  if (text.startsWith('(') && text.endsWith(')')) {
    let depth = 0;
    let wrapsAll = true;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
      if (depth === 0 && i < text.length - 1) {
        wrapsAll = false;
        break;
      }
    }
    if (wrapsAll) text = text.slice(1, -1);
  }
  return text.replace(/('(?:[^']|'')*')::(text|character varying|varchar|bpchar)/g, '$1').replace(/ ~~\* /g, ' ILIKE ').replace(/ ~~ /g, ' LIKE ');
}

export function percent(share: number): string {
  if (share >= 0.1) return `${Math.round(share * 100)}%`;
  if (share >= 0.001) return `${(share * 100).toFixed(1)}%`;
  return `${(share * 100).toPrecision(1)}%`;
}

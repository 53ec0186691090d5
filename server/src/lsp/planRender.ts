// The one plan renderer of the language server: hover, "Explain Statement at Cursor" and "Show plan with this index"
// all show a plan the same way. A summary line first (estimated rows, total cost, the costliest node), then the tree
// with one line per node (rows, cost, the costliest node marked), then what qualifies it (generic plan, notes, when
// and where it was planned). Index names the what-if planner made up (hypopg's `<13556>btree_orders_customer_id`, an
// index trial's `pglens_trial_…`) are shown as the CREATE INDEX they stand for.

import { formatCost, formatCount, walkPlan, type ExplainedPlan, type PlanNode } from '../engine/plan/model';
import { buildPlanView, planDetails, planViewNodes } from '../engine/plan/planView';

/** What a made-up index name stands for: the CREATE INDEX a person would run. */
export type IndexNameResolver = (node: PlanNode) => string | undefined;

export interface PlanRenderOptions {
  /** Replaces what-if index names (see whatIfIndexResolver). */
  resolveIndex?: IndexNameResolver;
  /** Heading of the summary line; default `pglens · plan`. */
  title?: string;
}

/** A candidate index as the advisor's evidence carries it (engine advise/candidates.ts IndexCandidate, in part). */
export interface WhatIfIndex {
  sql: string;
  table: string;
  method?: string;
  keys?: { text: string }[];
}

/** Names hypopg (`<oid>btree_orders_customer_id`) and index trials (`pglens_trial_<hex>`) give what-if indexes. */
const WHAT_IF_NAME = /^(?:<\d+>(.*)|pglens_trial_[0-9a-f]+)$/;

/**
 * Resolves what-if index names in a plan to the CREATE INDEX of the candidate they were made from: by hypopg's name
 * (method, table and key columns), else the one candidate on the node's table, else the only candidate.
 */
export function whatIfIndexResolver(indexes: WhatIfIndex[]): IndexNameResolver {
  const simple = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return (node) => {
    const match = node.indexName === undefined ? null : WHAT_IF_NAME.exec(node.indexName);
    if (!match) return undefined;
    const hypopgName = match[1];
    const byName = hypopgName
      ? indexes.find((i) => simple(`${i.method ?? 'btree'}_${i.table}_${(i.keys ?? []).map((k) => k.text).join('_')}`) === simple(hypopgName))
      : undefined;
    const onTable = indexes.filter((i) => node.relationName !== undefined && i.table === node.relationName);
    const found = byName ?? (onTable.length === 1 ? onTable[0] : indexes.length === 1 ? indexes[0] : undefined);
    return found?.sql.replace(/;\s*$/, '') ?? 'a what-if index';
  };
}

/** One line per node: `Seq Scan on orders`, `Index Scan using orders_pkey on orders o`. */
export function describeNode(node: PlanNode, resolveIndex?: IndexNameResolver): string {
  let label = node.nodeType;
  if (node.joinType && /Join|Nested Loop/.test(node.nodeType) && node.joinType !== 'Inner') label = `${node.nodeType} (${node.joinType})`;
  if (node.operation && node.nodeType === 'ModifyTable') label = node.operation;
  // EXPLAIN's text format says "Parallel Seq Scan"; its JSON has the flag apart.
  if (node.parallelAware && !label.startsWith('Parallel')) label = `Parallel ${label}`;
  if (node.indexName) {
    const whatIf = resolveIndex?.(node);
    label += whatIf ? ` using [${whatIf}]` : ` using ${node.indexName}`;
  }
  if (node.relationName) label += ` on ${node.relationName}${node.alias && node.alias !== node.relationName ? ` ${node.alias}` : ''}`;
  if (node.subplanName) label += ` (${node.subplanName})`;
  return label;
}

/** Conditions and keys the text plan shows under a node (the plan view shows all of planDetails). */
const TEXT_PLAN_DETAILS = new Set(['Index Cond', 'Hash Cond', 'Merge Cond', 'Join Filter', 'Filter', 'Sort Key', 'Group Key']);

export function nodeCondition(node: PlanNode): string | undefined {
  const found = planDetails(node)
    .filter((detail) => TEXT_PLAN_DETAILS.has(detail.name))
    .map((detail) => `${detail.name}: ${detail.value}`);
  return found.length > 0 ? found.join('; ') : undefined;
}

/**
 * The node that costs most by itself (children excluded, over all its runs: the plan view's exclusive cost, so the
 * hover and the plan view name the same node) and that cost; undefined for a single-node plan (nothing to compare).
 */
export function costliestNode(root: PlanNode): { node: PlanNode; cost: number } | undefined {
  const view = buildPlanView(root);
  if (view.costliestId === undefined) return undefined;
  let id = 0;
  for (const { node } of walkPlan(root)) if (id++ === view.costliestId) return { node, cost: planViewNodes(view)[id - 1].exclusiveCost };
  return undefined;
}

/** The plan as a text tree: estimated rows and cost per node, the costliest node (own cost) marked. */
export function renderPlanTree(root: PlanNode, options: PlanRenderOptions = {}): string {
  const costliest = costliestNode(root);
  const lines: string[] = [];
  const visit = (node: PlanNode, prefix: string, childPrefix: string) => {
    const marker = node === costliest?.node ? '  ◀ costliest' : '';
    lines.push(`${prefix}${describeNode(node, options.resolveIndex)}  rows≈${formatCount(node.planRows)}  cost ${formatCost(node.totalCost)}${marker}`);
    const condition = nodeCondition(node);
    const hasChildren = node.children.length > 0;
    if (condition) lines.push(`${childPrefix}${hasChildren ? '│ ' : '  '} ${truncate(condition, 90)}`);
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      visit(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  visit(root, '', '');
  return lines.join('\n');
}

/** `est. rows 1 · total cost 18,334 · costliest: Seq Scan on orders (18,334)`: the plan in one line. */
export function planSummary(root: PlanNode, options: PlanRenderOptions = {}): string {
  const parts = [`est. rows ${formatCount(root.planRows)}`, `total cost ${formatCost(root.totalCost)}`];
  const costliest = costliestNode(root);
  if (costliest) parts.push(`costliest: ${describeNode(costliest.node, options.resolveIndex)} (${formatCost(costliest.cost)})`);
  return parts.join(' · ');
}

/** The plan tree alone, as markdown: the summary line, then the fenced tree. */
export function renderPlanTreeMarkdown(root: PlanNode, options: PlanRenderOptions = {}, kind?: string): string {
  return [
    `**${options.title ?? 'pglens · plan'}**${kind ? ` (${kind})` : ''} · ${escapeMarkdown(planSummary(root, options))}`,
    '',
    '```text',
    renderPlanTree(root, options),
    '```',
  ].join('\n');
}

/** What qualifies a plan, below it: generic or not, its notes, when and where it was planned. */
export function planFootnotes(plan: ExplainedPlan): string {
  const out: string[] = [];
  if (plan.planningTimeMs !== undefined) out.push(`Planning ${plan.planningTimeMs.toFixed(1)} ms.`);
  if (plan.generic) out.push('*Generic plan:* parameter values are unknown, so estimates use default selectivities.');
  for (const note of plan.notes.filter((n) => !n.startsWith('generic plan'))) out.push(`*Note:* ${escapeMarkdown(note)}`);
  // The label in code style: `user@host` would otherwise be turned into a mail link.
  out.push(
    `Planned ${new Date(plan.plannedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} on \`${plan.databaseLabel.replace(/`/g, "'")}\` (PostgreSQL ${escapeMarkdown(plan.serverVersion)})`,
  );
  return out.join('\n\n');
}

/** A whole plan as markdown: summary and tree first, footnotes after. */
export function renderPlanMarkdown(plan: ExplainedPlan, options: PlanRenderOptions = {}): string {
  return [renderPlanTreeMarkdown(plan.root, options, plan.generic ? 'generic plan' : 'estimated'), '', planFootnotes(plan)].join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}

// What the visual plan view draws, computed from a plan tree: per node its own (exclusive) share of the estimated
// cost and, after EXPLAIN ANALYZE, of the measured time; estimated against actual rows with the misestimate factor;
// buffers; the node's conditions; and which node costs most and which spent most time. Plain data (JSON), so the
// language server computes it and any client draws it; the VS Code webview is one such drawing.
//
// Exclusive cost. PostgreSQL's "Total Cost" of a node includes its children's, counted once per execution of the
// node, and a node runs as often as the nodes above it make it: the inner side of a Nested Loop once per outer row,
// a correlated SubPlan once per row of the node that evaluates it. So each node's share of the whole plan is found
// top-down: a child is expected to cost its total cost times the times it runs; the parent keeps what its own cost
// leaves after its children. Where the children would cost more than the parent (a Materialize or Memoize answers
// rescans from memory and costs them far below a first run; SubPlan evaluations are only estimated), the children
// share the parent's cost in proportion and the parent keeps none. The shares therefore always add up to the plan's
// total cost. An InitPlan (a CTE too) is charged by PostgreSQL to the node it hangs under, so it is that node's child here.
//
// Exclusive time. EXPLAIN ANALYZE reports per loop; a node's wall-clock time is that times its loops, except under
// a Gather where each process (workers and leader) is a loop of its own running at the same time as the others, so
// loops are divided by the processes. A node's own time is its time minus its children's. InitPlans and SubPlans run
// inside the node that evaluates them, so they are subtracted from it too; a CTE's plan runs when a CTE Scan first
// reads it, so its time is subtracted from the CTE Scans that read it, not from the node it hangs under.

import { walkPlan, type PlanNode } from './model';

export interface PlanViewDetail {
  name: string;
  value: string;
}

export interface PlanViewNode {
  /** Position in the tree, parents before children (0 is the root): stable names for the drawing and tests. */
  id: number;
  label: string;
  nodeType: string;
  relationName?: string;
  /** "Outer", "Inner", "InitPlan", "SubPlan", "Member", ... */
  relationship?: string;
  details: PlanViewDetail[];
  startupCost: number;
  totalCost: number;
  /** Times the planner expects the node to run (the inner side of a Nested Loop: once per outer row). */
  estimatedExecutions: number;
  /** The node's own share of the plan's estimated total cost (children excluded, all executions). */
  exclusiveCost: number;
  /** exclusiveCost as a fraction of the plan's total cost (0..1). */
  costShare: number;
  /** Estimated rows per execution (per process for a parallel-aware node). */
  planRows: number;
  /** EXPLAIN ANALYZE: rows per loop (rounded by PostgreSQL), and loops. */
  actualRows?: number;
  loops?: number;
  /** Processes that ran the node at the same time (workers and the leader); absent outside a Gather. */
  processes?: number;
  /** Wall-clock ms of the node with its children, all loops; and of the node alone. */
  totalTimeMs?: number;
  exclusiveTimeMs?: number;
  /** exclusiveTimeMs as a fraction of the plan's time (0..1). */
  timeShare?: number;
  /** How far the estimate was off, >= 1 (actual / estimated or the inverse, per loop); absent before ANALYZE or never run. */
  misestimate?: number;
  /** EXPLAIN (ANALYZE, BUFFERS): shared buffers hit and read. */
  sharedHitBlocks?: number;
  sharedReadBlocks?: number;
  /** The node with the largest exclusive cost; the node with the largest exclusive time. */
  costliest?: boolean;
  slowest?: boolean;
  /** In a plan diff: the node has no like node in the other plan (another scan method, a join added or gone). */
  changed?: boolean;
  /** Never executed (EXPLAIN ANALYZE with loops = 0). */
  neverExecuted?: boolean;
  children: PlanViewNode[];
}

export interface PlanView {
  root: PlanViewNode;
  totalCost: number;
  planRows: number;
  analyzed: boolean;
  /** The plan's wall-clock time: the root's (execution time when PostgreSQL reported it). */
  totalTimeMs?: number;
  costliestId?: number;
  slowestId?: number;
  nodeCount: number;
}

/** A misestimate at least this large is highlighted (rows off by an order of magnitude change plan choices). */
export const MISESTIMATE_HIGHLIGHT = 10;

export interface PlanViewOptions {
  /** The node's one-line name; default `Node Type on relation`. */
  describe?: (node: PlanNode) => string;
  /** Conditions and keys of a node as name/value pairs; default planDetails. */
  details?: (node: PlanNode) => PlanViewDetail[];
  /** Execution time PostgreSQL reported for the whole statement (ms). */
  executionTimeMs?: number;
}

/** Filters, conditions and keys of a node, in the order EXPLAIN prints them. */
export function planDetails(node: PlanNode): PlanViewDetail[] {
  const entries: [string, string | undefined][] = [
    ['Index Cond', node.indexCond],
    ['Recheck Cond', node.recheckCond],
    ['TID Cond', node.tidCond],
    ['Hash Cond', node.hashCond],
    ['Merge Cond', node.mergeCond],
    ['Join Filter', node.joinFilter],
    ['One-Time Filter', node.oneTimeFilter],
    ['Filter', node.filter],
    ['Sort Key', node.sortKey?.join(', ')],
    ['Group Key', node.groupKey?.join(', ')],
    ['Strategy', node.strategy],
    ['CTE', node.cteName],
    ['Workers', node.workersPlanned === undefined ? undefined : node.workersLaunched === undefined ? `${node.workersPlanned} planned` : `${node.workersLaunched} launched of ${node.workersPlanned} planned`],
  ];
  return entries.filter((entry): entry is [string, string] => entry[1] !== undefined).map(([name, value]) => ({ name, value }));
}

function defaultDescribe(node: PlanNode): string {
  return node.relationName ? `${node.nodeType} on ${node.relationName}` : node.nodeType;
}

/** Nodes that answer rescans from what they kept: their children run once per run of the node above them. */
const CACHING_NODES = new Set(['Materialize', 'Memoize']);

function isInitPlan(node: PlanNode): boolean {
  return node.parentRelationship === 'InitPlan';
}

/** The plan view of a plan tree (estimated, or with EXPLAIN ANALYZE's actuals when the nodes carry them). */
export function buildPlanView(root: PlanNode, options: PlanViewOptions = {}): PlanView {
  const describe = options.describe ?? defaultDescribe;
  const details = options.details ?? planDetails;
  const analyzed = root.actualLoops !== undefined;

  // Views are made parents first; each entry carries what its children need (executions, cost budget, processes).
  const views = new Map<PlanNode, PlanViewNode>();
  const makeView = (node: PlanNode, relationship: string | undefined): PlanViewNode => {
    const view: PlanViewNode = {
      id: -1, // numbered parents-first once the tree is made
      label: describe(node),
      nodeType: node.nodeType,
      ...(node.relationName !== undefined ? { relationName: node.relationName } : {}),
      ...(relationship !== undefined ? { relationship } : {}),
      details: details(node),
      startupCost: node.startupCost,
      totalCost: node.totalCost,
      estimatedExecutions: 1,
      exclusiveCost: 0,
      costShare: 0,
      planRows: node.planRows,
      children: [],
    };
    views.set(node, view);
    return view;
  };

  const rootView = makeView(root, root.parentRelationship);
  const totalCost = Math.max(0, root.totalCost);
  // Cost, top-down (iterative: plans can be deep).
  // parentExecutions: runs of the node's parent, which is what the child of a Materialize or Memoize runs as.
  const pending: { node: PlanNode; view: PlanViewNode; executions: number; parentExecutions: number; budget: number; processes: number }[] = [
    { node: root, view: rootView, executions: 1, parentExecutions: 1, budget: totalCost, processes: 1 },
  ];
  while (pending.length > 0) {
    const { node, view, executions, parentExecutions, budget, processes } = pending.pop()!;
    view.estimatedExecutions = executions;
    const childEntries = node.children.map((child, index) => {
      let childExecutions = executions;
      if (isInitPlan(child)) childExecutions = 1;
      else if (child.parentRelationship === 'SubPlan') childExecutions = executions * Math.max(1, node.planRows);
      else if (node.nodeType === 'Nested Loop' && (child.parentRelationship ?? (index === 1 ? 'Inner' : 'Outer')) === 'Inner') childExecutions = executions * Math.max(1, node.children[0].planRows);
      else if (CACHING_NODES.has(node.nodeType)) childExecutions = parentExecutions;
      return { child, executions: childExecutions, wanted: Math.max(0, child.totalCost) * childExecutions };
    });
    const wanted = childEntries.reduce((sum, entry) => sum + entry.wanted, 0);
    const scale = wanted > budget && wanted > 0 ? budget / wanted : 1;
    view.exclusiveCost = Math.max(0, budget - wanted * scale);
    view.costShare = totalCost > 0 ? view.exclusiveCost / totalCost : 0;
    const childProcesses = (child: PlanNode) =>
      node.nodeType === 'Gather' || node.nodeType === 'Gather Merge' ? Math.max(1, child.actualLoops ?? 1) : processes;
    for (let i = childEntries.length - 1; i >= 0; i--) {
      const { child, executions: childExecutions, wanted: childWanted } = childEntries[i];
      const childView = makeView(child, child.parentRelationship);
      pending.push({ node: child, view: childView, executions: childExecutions, parentExecutions: executions, budget: childWanted * scale, processes: childProcesses(child) });
    }
    // Children in plan order (the stack reversed them).
    view.children = node.children.map((child) => views.get(child)!);
    if (processes > 1) view.processes = processes;
    if (analyzed) applyActuals(node, view, processes);
  }

  let nextId = 0;
  for (const { node } of walkPlan(root)) views.get(node)!.id = nextId++;
  if (analyzed) applyExclusiveTimes(root, views, options.executionTimeMs);

  // Markers: the costliest node (only when there is something to compare) and the slowest.
  let costliest: PlanViewNode | undefined;
  let slowest: PlanViewNode | undefined;
  for (const { node } of walkPlan(root)) {
    const view = views.get(node)!;
    if (!costliest || view.exclusiveCost > costliest.exclusiveCost) costliest = view;
    if (view.exclusiveTimeMs !== undefined && (!slowest || view.exclusiveTimeMs > (slowest.exclusiveTimeMs ?? 0))) slowest = view;
  }
  const several = views.size > 1;
  if (several && costliest) costliest.costliest = true;
  if (several && slowest) slowest.slowest = true;
  return {
    root: rootView,
    totalCost,
    planRows: root.planRows,
    analyzed,
    ...(analyzed ? { totalTimeMs: rootView.totalTimeMs } : {}),
    ...(several && costliest ? { costliestId: costliest.id } : {}),
    ...(several && slowest ? { slowestId: slowest.id } : {}),
    nodeCount: views.size,
  };
}

/** Actual rows, loops, buffers and the misestimate of one node. */
function applyActuals(node: PlanNode, view: PlanViewNode, processes: number): void {
  if (node.actualLoops === undefined) return;
  view.loops = node.actualLoops;
  if (node.actualLoops === 0) {
    view.neverExecuted = true;
    return;
  }
  if (node.actualRows !== undefined) {
    view.actualRows = node.actualRows;
    view.misestimate = Math.max(node.actualRows, 1) / Math.max(node.planRows, 1);
    if (view.misestimate < 1) view.misestimate = 1 / view.misestimate;
  }
  if (node.actualTotalTime !== undefined) view.totalTimeMs = (node.actualTotalTime * node.actualLoops) / processes;
  if (node.sharedHitBlocks !== undefined) view.sharedHitBlocks = node.sharedHitBlocks;
  if (node.sharedReadBlocks !== undefined) view.sharedReadBlocks = node.sharedReadBlocks;
}

/** Own time per node: its time minus its children's; a CTE's time taken from the CTE Scans that read it. */
function applyExclusiveTimes(root: PlanNode, views: Map<PlanNode, PlanViewNode>, executionTimeMs: number | undefined): void {
  const ctePlans = new Map<string, PlanNode>();
  const cteScans = new Map<string, PlanViewNode[]>();
  for (const { node } of walkPlan(root)) {
    const cte = isInitPlan(node) && node.subplanName?.startsWith('CTE ') ? node.subplanName.slice(4) : undefined;
    if (cte !== undefined) ctePlans.set(cte, node);
    if (node.nodeType === 'CTE Scan' && node.cteName !== undefined) cteScans.set(node.cteName, [...(cteScans.get(node.cteName) ?? []), views.get(node)!]);
  }
  for (const { node } of walkPlan(root)) {
    const view = views.get(node)!;
    if (view.totalTimeMs === undefined) continue;
    const childTime = node.children
      .filter((child) => !(isInitPlan(child) && child.subplanName?.startsWith('CTE ')))
      .reduce((sum, child) => sum + (views.get(child)!.totalTimeMs ?? 0), 0);
    view.exclusiveTimeMs = Math.max(0, view.totalTimeMs - childTime);
  }
  // A CTE's time, out of the CTE Scans that ran it (the first reader runs most of it; taken in plan order).
  for (const [name, plan] of ctePlans) {
    let remaining = views.get(plan)!.totalTimeMs ?? 0;
    for (const scan of cteScans.get(name) ?? []) {
      if (scan.exclusiveTimeMs === undefined || remaining <= 0) continue;
      const taken = Math.min(scan.exclusiveTimeMs, remaining);
      scan.exclusiveTimeMs -= taken;
      remaining -= taken;
    }
  }
  const rootView = views.get(root)!;
  const whole = Math.max(rootView.totalTimeMs ?? 0, executionTimeMs ?? 0);
  for (const view of views.values()) {
    if (view.exclusiveTimeMs !== undefined) view.timeShare = whole > 0 ? Math.min(1, view.exclusiveTimeMs / whole) : 0;
  }
}

/** The nodes of a view, indexed by id (parents first). */
export function planViewNodes(view: PlanView): PlanViewNode[] {
  const out: PlanViewNode[] = [];
  const pending = [view.root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    out[node.id] = node;
    for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]);
  }
  return out;
}

export interface PlanChange {
  /** `changed`: the same relation read another way; `added`/`removed`: a node only one plan has. */
  kind: 'changed' | 'added' | 'removed';
  relation?: string;
  /** Labels of the node in each plan. */
  before?: string;
  after?: string;
  /** Exclusive cost of the node in each plan. */
  costBefore?: number;
  costAfter?: number;
}

export interface PlanDiff {
  before: PlanView;
  after: PlanView;
  changes: PlanChange[];
}

/**
 * Two plans of one statement side by side (before and after an index, baseline and now). Scans are matched by the
 * relation and alias they read, in plan order: a scan read another way (Seq Scan -> Index Scan, another index) is
 * `changed`; other nodes are matched by their kind, and what one plan has more of is `added` or `removed`. Every
 * node of a change is marked `changed` in its view.
 */
export function diffPlans(before: PlanNode, after: PlanNode, options: PlanViewOptions = {}): PlanDiff {
  const beforeView = buildPlanView(before, options);
  const afterView = buildPlanView(after, options);
  const sides = [
    { plan: before, nodes: planViewNodes(beforeView) },
    { plan: after, nodes: planViewNodes(afterView) },
  ].map(({ plan, nodes }) => {
    const byKey = new Map<string, { node: PlanNode; view: PlanViewNode }[]>();
    let id = 0;
    for (const { node } of walkPlan(plan)) {
      const view = nodes[id++];
      const key = node.relationName !== undefined ? `scan ${node.schema ?? ''}.${node.relationName} ${node.alias ?? ''}` : `node ${node.nodeType} ${node.joinType ?? ''} ${node.strategy ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { node, view }]);
    }
    return byKey;
  });
  const [beforeNodes, afterNodes] = sides;
  const changes: PlanChange[] = [];
  const keys = [...new Set([...beforeNodes.keys(), ...afterNodes.keys()])];
  for (const key of keys) {
    const was = beforeNodes.get(key) ?? [];
    const now = afterNodes.get(key) ?? [];
    const isScan = key.startsWith('scan ');
    for (let i = 0; i < Math.max(was.length, now.length); i++) {
      const b = was[i];
      const a = now[i];
      if (b && a) {
        if (!isScan || (b.node.nodeType === a.node.nodeType && b.node.indexName === a.node.indexName)) continue;
        b.view.changed = true;
        a.view.changed = true;
        changes.push({ kind: 'changed', relation: a.node.relationName, before: b.view.label, after: a.view.label, costBefore: b.view.exclusiveCost, costAfter: a.view.exclusiveCost });
      } else if (b) {
        b.view.changed = true;
        changes.push({ kind: 'removed', relation: b.node.relationName, before: b.view.label, costBefore: b.view.exclusiveCost });
      } else if (a) {
        a.view.changed = true;
        changes.push({ kind: 'added', relation: a.node.relationName, after: a.view.label, costAfter: a.view.exclusiveCost });
      }
    }
  }
  return { before: beforeView, after: afterView, changes };
}

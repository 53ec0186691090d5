// The plan model: PostgreSQL's EXPLAIN (FORMAT JSON) output turned into typed nodes that rules can walk.
// Field names follow the JSON keys of src/backend/commands/explain.c.

export interface PlanNode {
  nodeType: string; // "Seq Scan", "Index Scan", "Nested Loop", "Sort", "Limit", "ModifyTable", ...
  /** For ModifyTable: "Update", "Delete", "Insert", "Merge". */
  operation?: string;
  relationName?: string;
  schema?: string;
  alias?: string;
  indexName?: string;
  startupCost: number;
  totalCost: number;
  planRows: number;
  planWidth: number;
  filter?: string;
  indexCond?: string;
  recheckCond?: string;
  hashCond?: string;
  mergeCond?: string;
  joinFilter?: string;
  oneTimeFilter?: string;
  joinType?: string;
  sortKey?: string[];
  groupKey?: string[];
  strategy?: string;
  parentRelationship?: string; // "Outer", "Inner", "InitPlan", "SubPlan", "Member"
  subplanName?: string;
  rowsRemovedByFilterEstimate?: number;
  /** Only with EXPLAIN ANALYZE. */
  actualRows?: number;
  actualLoops?: number;
  actualTotalTime?: number;
  actualStartupTime?: number;
  tidCond?: string;
  /** Per-process rows: "Plan Rows" of a parallel-aware node counts one process (see totalPlanRows). */
  parallelAware?: boolean;
  /** On Gather and Gather Merge. */
  workersPlanned?: number;
  workersLaunched?: number;
  /** On a CTE Scan: the CTE it reads (whose plan is the InitPlan child "CTE <name>" of a node above). */
  cteName?: string;
  /** Only with EXPLAIN (ANALYZE, BUFFERS): shared buffers found in cache and read, all loops. */
  sharedHitBlocks?: number;
  sharedReadBlocks?: number;
  children: PlanNode[];
  // No copy of PostgreSQL's JSON is kept: plans live in caches, and the raw objects doubled what each one held.
}

export interface ExplainedPlan {
  root: PlanNode;
  /** True when parameters were planned generically (no values known): estimates use default selectivities. */
  generic: boolean;
  planningTimeMs?: number;
  executionTimeMs?: number;
  /** When it was planned (ms since epoch), shown on hover. */
  plannedAt: number;
  /** Where: "dev@localhost:5432/app", "embedded", with the synthetic-data note for the embedded database. */
  databaseLabel: string;
  serverVersion: string;
  /** Extra words that every finding from this plan carries ("generic plan", "embedded database, synthetic data: ..."). */
  notes: string[];
  /** Planned on rows pglens generated (the embedded database without a snapshot): row counts are not the team's. */
  syntheticRows?: boolean;
}

function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function asStrings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

/** The plan tree of EXPLAIN's JSON. Iterative: a plan nested thousands deep cannot overflow the stack. */
export function planNodeFromJson(json: Record<string, unknown>): PlanNode {
  const root = planNodeOnly(json);
  const pending: { json: Record<string, unknown>; node: PlanNode }[] = [{ json, node: root }];
  while (pending.length > 0) {
    const { json: parentJson, node: parent } = pending.pop()!;
    if (!Array.isArray(parentJson['Plans'])) continue;
    for (const childJson of parentJson['Plans'] as Record<string, unknown>[]) {
      if (childJson === null || typeof childJson !== 'object') continue;
      const child = planNodeOnly(childJson);
      parent.children.push(child);
      pending.push({ json: childJson, node: child });
    }
  }
  return root;
}

/** One node's fields, with no children yet. */
function planNodeOnly(json: Record<string, unknown>): PlanNode {
  const children: PlanNode[] = [];
  return {
    nodeType: String(json['Node Type'] ?? 'Unknown'),
    operation: asString(json['Operation']),
    relationName: asString(json['Relation Name']),
    schema: asString(json['Schema']),
    alias: asString(json['Alias']),
    indexName: asString(json['Index Name']),
    startupCost: asNumber(json['Startup Cost']),
    totalCost: asNumber(json['Total Cost']),
    planRows: asNumber(json['Plan Rows']),
    planWidth: asNumber(json['Plan Width']),
    filter: asString(json['Filter']),
    indexCond: asString(json['Index Cond']),
    recheckCond: asString(json['Recheck Cond']),
    hashCond: asString(json['Hash Cond']),
    mergeCond: asString(json['Merge Cond']),
    joinFilter: asString(json['Join Filter']),
    oneTimeFilter: asString(json['One-Time Filter']),
    joinType: asString(json['Join Type']),
    sortKey: asStrings(json['Sort Key']),
    groupKey: asStrings(json['Group Key']),
    strategy: asString(json['Strategy']),
    parentRelationship: asString(json['Parent Relationship']),
    subplanName: asString(json['Subplan Name']),
    actualRows: typeof json['Actual Rows'] === 'number' ? (json['Actual Rows'] as number) : undefined,
    actualLoops: typeof json['Actual Loops'] === 'number' ? (json['Actual Loops'] as number) : undefined,
    actualTotalTime: typeof json['Actual Total Time'] === 'number' ? (json['Actual Total Time'] as number) : undefined,
    actualStartupTime: typeof json['Actual Startup Time'] === 'number' ? (json['Actual Startup Time'] as number) : undefined,
    tidCond: asString(json['TID Cond']),
    parallelAware: json['Parallel Aware'] === true ? true : undefined,
    workersPlanned: typeof json['Workers Planned'] === 'number' ? (json['Workers Planned'] as number) : undefined,
    workersLaunched: typeof json['Workers Launched'] === 'number' ? (json['Workers Launched'] as number) : undefined,
    cteName: asString(json['CTE Name']),
    sharedHitBlocks: typeof json['Shared Hit Blocks'] === 'number' ? (json['Shared Hit Blocks'] as number) : undefined,
    sharedReadBlocks: typeof json['Shared Read Blocks'] === 'number' ? (json['Shared Read Blocks'] as number) : undefined,
    children,
  };
}

/**
 * Every node, parents before children, with the path from the root to its parent. The `ancestors` array is one array
 * that the walk updates as it goes (rules walk every plan several times; copying a path per node was a large share
 * of all allocation): read it during the step, copy it to keep it.
 */
export function* walkPlan(root: PlanNode): Generator<{ node: PlanNode; ancestors: readonly PlanNode[] }> {
  const ancestors: PlanNode[] = [];
  const pending: PlanNode[] = [root];
  const depths: number[] = [0];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const depth = depths.pop()!;
    ancestors.length = depth;
    yield { node, ancestors };
    ancestors.length = depth;
    ancestors.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) {
      pending.push(node.children[i]);
      depths.push(depth + 1);
    }
  }
}

export function isScanNode(node: PlanNode): boolean {
  return node.relationName !== undefined && /Scan$/.test(node.nodeType);
}

/** How many times a node runs: under the inner side of a Nested Loop it runs once per outer row. */
export function estimatedLoops(ancestors: readonly PlanNode[], node: PlanNode): number {
  let loops = 1;
  let child = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i];
    if (parent.nodeType === 'Nested Loop' && parent.children[1] === child) loops *= Math.max(1, parent.children[0].planRows);
    child = parent;
  }
  return loops;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${trim(n / 1e9)}G`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e4) return `${trim(n / 1e3)}k`;
  return String(Math.round(n));
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
}

export function formatCost(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

// The plan view's numbers on real EXPLAIN (FORMAT JSON) output of the test cluster's PostgreSQL: exclusive cost with
// a Nested Loop's inner side run once per outer row, CTEs, InitPlans and SubPlans; exclusive time per loop times
// loops, with parallel workers not added up; misestimates; buffers; the costliest and slowest node; and the diff of
// two plans of one statement (before and after an index).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { planNodeFromJson, walkPlan, type PlanNode } from '../../server/src/engine/plan/model';
import { buildPlanView, diffPlans, type PlanView, type PlanViewNode } from '../../server/src/engine/plan/planView';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';

let db: TestFileDatabase;

before(async () => {
  db = await openTestFileDatabase('pglens_plan_view');
  await db.client.query(`
    create table customers (id int primary key, name text not null, region int not null);
    create table orders (id int primary key, customer_id int not null, total numeric not null, status int not null, kind int not null);
    insert into customers select g, 'c' || g, g % 10 from generate_series(1, 2000) g;
    insert into orders select g, 1 + g % 2000, g % 500, g % 100, g % 100 from generate_series(1, 60000) g;
    create index orders_customer_id_idx on orders (customer_id);
    analyze customers; analyze orders;
  `);
});

after(async () => {
  await db?.drop();
});

async function plan(sql: string, options: { analyze?: boolean; settings?: string } = {}): Promise<{ root: PlanNode; executionTimeMs?: number }> {
  await db.client.query('begin');
  try {
    if (options.settings) await db.client.query(options.settings);
    const result = await db.client.query(`explain (${options.analyze ? 'analyze, buffers, ' : ''}format json) ${sql}`);
    const top = (result.rows[0]['QUERY PLAN'] as Record<string, unknown>[])[0];
    return { root: planNodeFromJson(top['Plan'] as Record<string, unknown>), executionTimeMs: top['Execution Time'] as number | undefined };
  } finally {
    await db.client.query('rollback');
  }
}

function nodes(view: PlanView): PlanViewNode[] {
  const out: PlanViewNode[] = [];
  const pending = [view.root];
  while (pending.length > 0) {
    const node = pending.shift()!;
    out.push(node);
    pending.push(...node.children);
  }
  return out.sort((a, b) => a.id - b.id);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

const NESTED_LOOP = {
  sql: 'select o.id, c.name from customers c join orders o on o.customer_id = c.id where c.id < 40',
  settings: 'set local enable_hashjoin = off; set local enable_mergejoin = off; set local enable_bitmapscan = off',
};

test('nested loop: the inner side counts once per outer row; the shares add up to the total cost', async () => {
  const { root } = await plan(NESTED_LOOP.sql, { settings: NESTED_LOOP.settings });
  const view = buildPlanView(root);
  const all = nodes(view);
  assert.equal(view.root.nodeType, 'Nested Loop');
  const [outer, inner] = view.root.children;
  assert.equal(inner.relationship, 'Inner');
  assert.equal(inner.estimatedExecutions, Math.max(1, outer.planRows));
  assert.ok(outer.planRows > 1, `outer rows ${outer.planRows}`);
  // The inner index scan runs ~39 times: its share is many times its per-run total cost, not one run of it.
  assert.ok(inner.exclusiveCost > inner.totalCost * 10, `${inner.exclusiveCost} vs ${inner.totalCost}`);
  assert.ok(Math.abs(sum(all.map((n) => n.exclusiveCost)) - view.totalCost) < 1e-6 * view.totalCost);
  assert.ok(all.every((n) => n.exclusiveCost >= 0 && n.costShare >= 0 && n.costShare <= 1));
  assert.equal(all.filter((n) => n.costliest).length, 1);
  assert.equal(view.costliestId, inner.id);
  assert.equal(view.analyzed, false);
  assert.equal(view.slowestId, undefined);
  // Ids are parents-first positions.
  assert.deepEqual(all.map((n) => n.id), [...all.keys()]);
  assert.equal(inner.details.find((d) => d.name === 'Index Cond')?.value, '(customer_id = c.id)');
});

test('nested loop, analysed: loops > 1, time per loop times loops, buffers, the slowest node', async () => {
  const { root, executionTimeMs } = await plan(NESTED_LOOP.sql, { analyze: true, settings: NESTED_LOOP.settings });
  const view = buildPlanView(root, { executionTimeMs });
  const inner = view.root.children[1];
  const innerNode = root.children[1];
  assert.ok((inner.loops ?? 0) > 1, `loops ${inner.loops}`);
  assert.equal(inner.totalTimeMs, innerNode.actualTotalTime! * innerNode.actualLoops!);
  assert.ok(inner.sharedHitBlocks! + (inner.sharedReadBlocks ?? 0) > 0, JSON.stringify(inner));
  // Own times never exceed the whole, and the root's own time is its total minus its children's.
  const all = nodes(view);
  assert.ok(sum(all.map((n) => n.exclusiveTimeMs ?? 0)) <= view.totalTimeMs! + 1e-9);
  assert.equal(all.filter((n) => n.slowest).length, 1);
  assert.ok(all.every((n) => n.misestimate === undefined || n.misestimate >= 1));
});

test('parallel plan: worker times are not added up, processes named, Gather workers in the details', async () => {
  const settings =
    'set local parallel_setup_cost = 0; set local parallel_tuple_cost = 0; set local min_parallel_table_scan_size = 0; set local max_parallel_workers_per_gather = 2';
  const estimated = buildPlanView((await plan('select status, count(*) from orders group by status', { settings })).root);
  assert.ok(nodes(estimated).some((n) => n.nodeType === 'Gather' || n.nodeType === 'Gather Merge'), JSON.stringify(estimated.root));
  const { root, executionTimeMs } = await plan('select count(*) from orders where total > 10', { analyze: true, settings });
  const view = buildPlanView(root, { executionTimeMs });
  const all = nodes(view);
  const gather = all.find((n) => n.nodeType === 'Gather')!;
  assert.ok(gather, JSON.stringify(view.root));
  assert.match(gather.details.find((d) => d.name === 'Workers')?.value ?? '', /launched of 2 planned/);
  const scan = all.find((n) => n.nodeType === 'Seq Scan')!;
  const scanNode = [...walkPlan(root)].find(({ node }) => node.nodeType === 'Seq Scan')!.node;
  assert.equal(scanNode.parallelAware, true);
  assert.equal(scan.processes, scanNode.actualLoops);
  // Summed over processes the scan would take loops x per-loop time; as wall-clock it is the per-process average.
  assert.ok(Math.abs(scan.totalTimeMs! - scanNode.actualTotalTime!) < 1e-9, `${scan.totalTimeMs} vs ${scanNode.actualTotalTime}`);
  assert.ok(scan.totalTimeMs! <= gather.totalTimeMs! + 1e-9);
  assert.ok(sum(all.map((n) => n.exclusiveTimeMs ?? 0)) <= Math.max(view.totalTimeMs!, executionTimeMs!) + 1e-9);
});

test('CTE, InitPlan and SubPlan: charged to the node they hang under; a CTE\'s time taken from its CTE Scan', async () => {
  const sql = `with per_customer as materialized (select customer_id, count(*) as n from orders group by customer_id)
    select p.customer_id, (select name from customers c where c.id = p.customer_id) as name
    from per_customer p where p.n > (select avg(n) from per_customer)`;
  const estimated = buildPlanView((await plan(sql)).root);
  const all = nodes(estimated);
  const relationships = all.map((n) => n.relationship);
  assert.ok(relationships.includes('InitPlan') && relationships.includes('SubPlan'), relationships.join(','));
  assert.ok(Math.abs(sum(all.map((n) => n.exclusiveCost)) - estimated.totalCost) < 1e-6 * estimated.totalCost);
  // The correlated SubPlan runs once per row of the CTE Scan that evaluates it (667 estimated): 667 index scans cost
  // the planner more than the CTE's aggregate over all orders, and the CTE Scan's own cost is what is left.
  const subPlan = all.find((n) => n.relationship === 'SubPlan')!;
  assert.equal(subPlan.estimatedExecutions, estimated.root.planRows);
  assert.equal(estimated.costliestId, subPlan.id);
  const cteAggregate = estimated.root.children.find((n) => n.relationship === 'InitPlan' && n.nodeType === 'Aggregate' && n.children[0]?.nodeType === 'Seq Scan')!;
  assert.ok(cteAggregate, JSON.stringify(estimated.root.children.map((c) => c.label)));
  assert.ok(estimated.root.exclusiveCost < estimated.root.totalCost - subPlan.exclusiveCost - cteAggregate.totalCost + 1e-6);
  const cteScans = all.filter((n) => n.nodeType === 'CTE Scan');
  assert.ok(cteScans.length >= 1 && cteScans.some((s) => s.details.some((d) => d.name === 'CTE' && d.value === 'per_customer')));

  const { root, executionTimeMs } = await plan(sql, { analyze: true });
  const view = buildPlanView(root, { executionTimeMs });
  const analysed = nodes(view);
  // The CTE is computed when the outer CTE Scan first reads it: that scan's own time leaves the CTE's out.
  const cteRun = view.root.children.find((n) => n.relationship === 'InitPlan' && n.children[0]?.nodeType === 'Seq Scan')!;
  assert.ok(cteRun.totalTimeMs! > 0);
  assert.ok(view.root.exclusiveTimeMs! < view.root.totalTimeMs! - cteRun.totalTimeMs! + 1e-6);
  // Every own time is non-negative and together they do not exceed the statement's time (no double counting).
  assert.ok(analysed.every((n) => n.exclusiveTimeMs === undefined || n.exclusiveTimeMs >= 0));
  assert.ok(sum(analysed.map((n) => n.exclusiveTimeMs ?? 0)) <= Math.max(view.totalTimeMs!, executionTimeMs!) + 1e-6);
  // No per_customer row beats the average (every customer has 30 orders): the SubPlan never ran.
  assert.equal(analysed.find((n) => n.relationship === 'SubPlan')!.neverExecuted, true);
});

test('a misestimate of correlated predicates is measured (>= 10x)', async () => {
  // status and kind are equal on every row: the planner multiplies two 1% selectivities, 100x too few rows.
  const { root } = await plan('select id from orders where status = 7 and kind = 7', { analyze: true });
  const view = buildPlanView(root);
  assert.ok((view.root.misestimate ?? 0) >= 10, JSON.stringify(view.root));
  assert.equal(view.root.actualRows, 600);
});

test('diffPlans: the scan that changed method is named and marked in both plans, with the costs before and after', async () => {
  const sql = 'select id from orders where total = 42';
  const before = (await plan(sql)).root;
  await db.client.query('create index orders_total_idx on orders (total)');
  try {
    const afterPlan = (await plan(sql)).root;
    const diff = diffPlans(before, afterPlan);
    assert.ok(diff.after.totalCost < diff.before.totalCost);
    const change = diff.changes.find((c) => c.kind === 'changed');
    assert.ok(change, JSON.stringify(diff.changes));
    assert.equal(change.relation, 'orders');
    assert.match(change.before!, /^Seq Scan on orders/);
    assert.match(change.after!, /Index|Bitmap/);
    assert.ok(nodes(diff.before).some((n) => n.changed && n.nodeType === 'Seq Scan'));
    assert.ok(nodes(diff.after).some((n) => n.changed && n.relationName === 'orders'));
    // Unchanged plans: no changes.
    assert.deepEqual(diffPlans(afterPlan, afterPlan).changes, []);
  } finally {
    await db.client.query('drop index orders_total_idx');
  }
});

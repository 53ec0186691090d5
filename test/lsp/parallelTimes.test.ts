// EXPLAIN ANALYZE of a parallel plan: node times are wall-clock, not the workers' times added up. PostgreSQL reports a
// node's `actual time` per loop, and each parallel process is a loop: times multiplied by loops under a Gather would
// exceed the whole execution.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { getSharedTestDatabase } from '../harness/postgres';
import { planNodeFromJson } from '../../server/src/engine/plan/model';
import { toAnalyzedNode } from '../../server/src/lsp/explainAnalyze';
import type { AnalyzedPlanNode } from '../../server/src/lsp/protocol';

test('a parallel scan under a Gather: its time is at most the execution time, and per-node times add up to the total', async () => {
  const db = await getSharedTestDatabase();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    // Force a parallel plan on this session only (cheap parallelism, small tables allowed).
    await client.query('SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2');
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Record<string, unknown>; 'Execution Time': number }] }>(
      "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM orders WHERE note IS NOT NULL AND status <> 'x'",
    );
    const [explained] = rows[0]['QUERY PLAN'];
    const root = toAnalyzedNode(planNodeFromJson(explained.Plan));
    const nodes: AnalyzedPlanNode[] = [];
    const visit = (node: AnalyzedPlanNode) => {
      nodes.push(node);
      node.children.forEach(visit);
    };
    visit(root);
    const scan = nodes.find((n) => /Parallel Seq Scan on orders/.test(n.label));
    assert.ok(scan, nodes.map((n) => n.label).join(' / '));
    assert.ok((scan.loops ?? 1) > 1, `workers ran (loops ${scan.loops})`);
    assert.equal(scan.processes, scan.loops);
    const execution = explained['Execution Time'];
    assert.ok(scan.totalTimeMs! <= execution + 1, `scan ${scan.totalTimeMs} ms within execution ${execution} ms`);
    const exclusive = nodes.reduce((sum, n) => sum + (n.exclusiveTimeMs ?? 0), 0);
    assert.ok(Math.abs(exclusive - root.totalTimeMs!) < 0.01, `${exclusive} vs ${root.totalTimeMs}`);
    assert.ok(root.totalTimeMs! <= execution + 1);
  } finally {
    await client.end();
  }
});

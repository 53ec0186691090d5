// walkPlan visits every node parents-first with the path from the root; the path array is shared between steps
// (it is updated as the walk goes), so it is right during each step and must be copied to be kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planNodeFromJson, walkPlan } from '../../server/src/engine/plan/model';

const plan = planNodeFromJson({
  'Node Type': 'Limit',
  Plans: [
    {
      'Node Type': 'Nested Loop',
      Plans: [
        { 'Node Type': 'Seq Scan', 'Relation Name': 'a' },
        { 'Node Type': 'Index Scan', 'Relation Name': 'b', Plans: [{ 'Node Type': 'Result' }] },
      ],
    },
    { 'Node Type': 'Gather', 'Workers Planned': 2, Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'c', 'Parallel Aware': true, 'TID Cond': '(ctid = $1)' }] },
  ],
});

test('walkPlan: document order, each node with the names of the nodes above it', () => {
  const seen = [...walkPlan(plan)].map(({ node }) => node.relationName ?? node.nodeType);
  assert.deepEqual(seen, ['Limit', 'Nested Loop', 'a', 'b', 'Result', 'Gather', 'c']);
  const paths: string[] = [];
  for (const { node, ancestors } of walkPlan(plan)) paths.push(`${ancestors.map((a) => a.nodeType).join('/')} > ${node.relationName ?? node.nodeType}`);
  assert.deepEqual(paths, [
    ' > Limit',
    'Limit > Nested Loop',
    'Limit/Nested Loop > a',
    'Limit/Nested Loop > b',
    'Limit/Nested Loop/Index Scan > Result',
    'Limit > Gather',
    'Limit/Gather > c',
  ]);
});

test('planNodeFromJson keeps the fields rules read (parallel awareness, workers, TID conditions)', () => {
  const gather = plan.children[1];
  assert.equal(gather.workersPlanned, 2);
  assert.equal(gather.children[0].parallelAware, true);
  assert.equal(gather.children[0].tidCond, '(ctid = $1)');
  assert.equal(plan.parallelAware, undefined);
});

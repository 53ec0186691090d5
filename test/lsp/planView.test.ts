// pglens/planView through the real language server on the test database, and the VS Code plan view's page drawn from
// its answers: the plan of the statement at a position (shares of the cost adding up, the costliest node named), the
// plan with a suggested index compared with the plan now (the scan that changed, the what-if index named by its
// CREATE INDEX), EXPLAIN ANALYZE results carrying the same data with times, and the page: one costliest row, bars,
// text escaped, a Content-Security-Policy that allows only the nonce'd stylesheet.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { planViewNodes } from '../../server/src/engine/plan/planView';
import type { ExplainAnalyzeResult, PlanViewResult } from '../../server/src/lsp/protocol';
import { renderPlanPage } from '../../client/src/planViewHtml';
import { openAnalysed, workspaceWithServer, type FixtureWorkspace } from './fixtureWorkspace';
import type { LspTestClient } from './lspTestClient';

let workspace: FixtureWorkspace;
let client: LspTestClient;

before(async () => {
  ({ workspace, client } = await workspaceWithServer());
});

after(async () => {
  await client?.stop();
  workspace?.remove();
});

const openAndAnalyse = (name: string, languageId: string, text: string) => openAnalysed(workspace, client, name, languageId, text);

const REPORT = `select u.email, count(*) as pending
from orders o join users u on u.id = o.user_id
where o.status = 'pending' and o.total_cents < 5000
group by u.email order by pending desc limit 20;
`;

test('the plan of the statement at a position: shares add up to the total, the costliest node named, drawn as a page', async () => {
  const uri = await openAndAnalyse('report.sql', 'sql', REPORT);
  const result = await client.request<PlanViewResult>('pglens/planView', { uri, position: { line: 0, character: 3 } });
  assert.ok(result.plan, JSON.stringify(result));
  const nodes = planViewNodes(result.plan);
  assert.equal(nodes.length, result.plan.nodeCount);
  assert.ok(nodes.length >= 4, nodes.map((n) => n.label).join(' / '));
  assert.equal(result.plan.analyzed, false);
  const shares = nodes.reduce((sum, n) => sum + n.exclusiveCost, 0);
  assert.ok(Math.abs(shares - result.plan.totalCost) < 1e-6 * result.plan.totalCost, `${shares} vs ${result.plan.totalCost}`);
  const costliest = nodes.filter((n) => n.costliest);
  assert.equal(costliest.length, 1);
  assert.equal(costliest[0].id, result.plan.costliestId);
  assert.ok(nodes.some((n) => /on orders o$/.test(n.label)), nodes.map((n) => n.label).join(' / '));
  assert.ok(result.notes?.some((n) => /^Planned on app@127\.0\.0\.1:\d+\/pglens_test/.test(n)), JSON.stringify(result.notes));

  const html = renderPlanPage({ title: result.title!, statement: result.statement, plan: result.plan, notes: result.notes, nonce: 'bm9uY2U=' });
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-bm9uY2U=';">/);
  assert.match(html, /<style nonce="bm9uY2U=">/);
  assert.doesNotMatch(html, /<script|style="|https?:\/\//i);
  assert.deepEqual([...html.matchAll(/class="row costliest[^"]*" data-node-id="(\d+)"/g)].map((m) => Number(m[1])), [result.plan.costliestId]);
  assert.equal([...html.matchAll(/class="row[ "]/g)].length, nodes.length);
  // Text from the statement and the plan is escaped: `total_cents < 5000` is shown, never parsed as markup.
  assert.match(html, /total_cents &lt; 5000/);
  assert.doesNotMatch(html, /total_cents < 5000/);
});

test('withIndex: the plan now and with the suggested index, the scan that changed named, the index as its CREATE INDEX', async () => {
  const source = "import { sql } from './db';\nexport const byEmail = (email: string) => sql`select id from orders where customer_email = ${email}`;\n";
  const uri = await openAndAnalyse('by-email.ts', 'typescript', source);
  const result = await client.request<PlanViewResult>('pglens/planView', { uri, position: { line: 1, character: 60 }, kind: 'withIndex', ruleId: 'seq-scan-large-table' });
  assert.ok(result.diff, JSON.stringify(result));
  assert.ok(result.diff.after.totalCost < result.diff.before.totalCost);
  const change = result.diff.changes.find((c) => c.kind === 'changed');
  assert.ok(change, JSON.stringify(result.diff.changes));
  assert.equal(change.relation, 'orders');
  assert.match(change.before!, /^(Parallel )?Seq Scan on orders$/);
  assert.match(change.after!, /Scan using \[CREATE INDEX .*ON orders \(customer_email\)\] on orders$/);
  assert.doesNotMatch(JSON.stringify(result.diff), /<\d+>btree|pglens_trial_/);
  assert.match(result.diff.indexSql ?? '', /CREATE INDEX/);
  assert.match(result.notes?.[0] ?? '', /^Estimated cost [\d,]+ → [\d,]+\. Planned with a hypothetical index/);
  const html = renderPlanPage({ title: result.title!, diff: result.diff, nonce: 'n' });
  assert.match(html, /<section class="side before">.*class="row changed[^"]*".*<section class="side after">.*class="row changed/s);
  assert.match(html, /<li class="change"><b>(Parallel )?Seq Scan on orders<\/b> → <b>/);
  // A statement without an index suggestion says so.
  const none = await client.request<PlanViewResult>('pglens/planView', { uri: await openAndAnalyse('pk.sql', 'sql', 'select * from orders where id = 1;\n'), position: { line: 0, character: 3 }, kind: 'withIndex' });
  assert.match(none.error ?? '', /No index suggestion/);
});

test('no statement at the position, and a statement that could not be planned: one clear line each', async () => {
  const uri = await openAndAnalyse('broken.sql', 'sql', '\n\nselect * from no_such_table;\n');
  assert.equal((await client.request<PlanViewResult>('pglens/planView', { uri, position: { line: 0, character: 0 } })).error, 'No SQL statement at the cursor.');
  const missing = await client.request<PlanViewResult>('pglens/planView', { uri, position: { line: 2, character: 3 } });
  assert.equal(missing.plan, undefined);
  assert.match(missing.error ?? '', /^Not planned: /);
});

test('EXPLAIN ANALYZE results carry the plan view with times, loops and buffers; the slowest node marked', async () => {
  const uri = await openAndAnalyse('analyse.sql', 'sql', "select count(*) from orders o join users u on u.id = o.user_id where u.status = 'disabled';\n");
  const result = await client.request<ExplainAnalyzeResult>('pglens/explainAnalyze', { uri, position: { line: 0, character: 3 } });
  assert.ok(result.planView, JSON.stringify(result).slice(0, 500));
  assert.equal(result.planView.analyzed, true);
  const nodes = planViewNodes(result.planView);
  assert.equal(nodes.filter((n) => n.slowest).length, 1);
  assert.ok(nodes.every((n) => n.exclusiveTimeMs === undefined || n.exclusiveTimeMs >= 0));
  assert.ok(nodes.some((n) => (n.sharedHitBlocks ?? 0) + (n.sharedReadBlocks ?? 0) > 0));
  const ownTime = nodes.reduce((sum, n) => sum + (n.exclusiveTimeMs ?? 0), 0);
  assert.ok(ownTime <= Math.max(result.planView.totalTimeMs!, result.executionTimeMs!) + 1e-6);
  const html = renderPlanPage({ title: 'Plan · EXPLAIN ANALYZE', plan: result.planView, nonce: 'n' });
  assert.match(html, /class="row[^"]*slowest[^"]*"/);
  assert.match(html, /<span class="metric time"/);
  assert.match(html, /est\. [\d,]+ → actual [\d,]+/);
});

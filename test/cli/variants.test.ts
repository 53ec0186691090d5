// Issue 11: a query with a conditional fragment is planned once per branch (the finder's variants). A finding only
// some branches have says which, `(when ...)`; one every branch has is reported once, as it is.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, parseJsonReport, REPO_ROOT, runCli, scratchWorkspace, SHARED_DATABASE_TIMEOUTS } from './cliHarness';

before(() => ensureCliBuilt());

/** The postgres.js stub and tsconfig of the realworld fixture: the checker needs them to tell fragments from values. */
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'realworld', 'ts-postgresjs');

const QUERIES = [
  "import postgres from 'postgres';",
  '',
  'declare const databaseUrl: string;',
  'const sql = postgres(databaseUrl);',
  '',
  // Line 6: only the branch with a filter keeps few rows of a large table (an index is missing); the other reads all.
  "export const invoices = (pendingOnly: boolean) => sql`SELECT id FROM invoices ${pendingOnly ? sql`WHERE status = 'pending'` : sql``}`;",
  '',
  // Line 8: both branches join without a condition, with the same plan (the planner drops `WHERE true`): one finding,
  // no branch named.
  "export const pairs = (always: boolean) => sql`SELECT u.id, a.id FROM users u, accounts a ${always ? sql`WHERE true` : sql``}`;",
  '',
  // Line 10: both branches page by OFFSET; the keyset rewrite in the message differs by branch (its WHERE): one finding,
  // saying which branch its text is from.
  "export const page = (status: string | undefined, page: number) => sql`SELECT id FROM invoices ${status ? sql`WHERE status = ${status}` : sql``} ORDER BY id LIMIT 20 OFFSET ${page * 20}`;",
  '',
].join('\n');

const ws = scratchWorkspace({
  'pglens.json': JSON.stringify({ database: SHARED_DATABASE_TIMEOUTS }),
  'tsconfig.json': readFileSync(join(FIXTURE, 'tsconfig.json'), 'utf8'),
  'types/postgres/index.d.ts': readFileSync(join(FIXTURE, 'types', 'postgres', 'index.d.ts'), 'utf8'),
  'src/queries.ts': QUERIES,
});
after(() => ws.remove());

test('a finding of one branch names the branch; a finding of every branch is reported once, as it is', async () => {
  const { url } = await getSharedTestDatabase();
  const result = await runCli(['check', 'src', '--db', url, '--format', 'json'], { cwd: ws.dir });
  const report = parseJsonReport(result);
  const findings = report.findings.map((f) => ({ where: `${f.line} ${f.ruleId}`, message: f.message }));
  const seqScans = findings.filter((f) => f.where === '6 seq-scan-large-table');
  assert.equal(seqScans.length, 1, JSON.stringify(findings, null, 2));
  assert.match(seqScans[0].message, / \(when [^)]*pendingOnly[^)]*\)/);
  const joins = findings.filter((f) => f.where === '8 join-without-condition');
  assert.equal(joins.length, 1, JSON.stringify(findings, null, 2));
  assert.doesNotMatch(joins[0].message, /\(when /);
  const pages = findings.filter((f) => f.where === '10 deep-offset-pagination');
  assert.equal(pages.length, 1, JSON.stringify(findings, null, 2));
  assert.match(pages[0].message, /\(as planned when `status` is set; also when `status` is not set\)/);
  // Each template counts as one site, whatever its branches.
  assert.equal(report.summary.sites, 3, result.stderr);
  assert.equal(report.summary.checked, 3);
});

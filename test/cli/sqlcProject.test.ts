// A Go service's SQL as a new user checks it: no pglens.json, an embedded database built from what the repository
// says its schema is (sqlc.yaml's `schema`, a golang-migrate folder no fixed list holds), and sqlc query files whose
// named parameters (`@name`, `sqlc.arg(name)`, `sqlc.narg(name)`) PostgreSQL would read as an operator or a function.
// Before: "no schema files found", exit 2; with the schema configured, 5 false plan errors of 5 queries.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, runCli } from './cliHarness';

before(() => ensureCliBuilt());

const scratch = mkdtempSync(join(tmpdir(), 'pglens-sqlc-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('sqlc project without config: schema from sqlc.yaml, every query planned with $n for its named parameters, no plan error', async () => {
  const dir = join(scratch, 'service');
  cpSync(join(__dirname, '..', 'fixtures', 'realworld', 'sql-sqlc-queries'), dir, { recursive: true });
  const result = await runCli(['check', '.', '--format', 'json'], { cwd: dir, env: { XDG_CACHE_HOME: join(scratch, 'cache') } });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stderr, /too little of the schema/);
  assert.match(result.stderr, /building embedded database from 2 schema files/);
  const report = parseJsonReport(result);
  assert.deepEqual(
    report.findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}: ${finding.message}`),
    [],
  );
  // Five queries and the two up migrations; the down migrations are rollback code.
  assert.equal(report.summary.planned, 5);
  assert.equal(report.summary.statements, 8);
  assert.deepEqual(
    report.skipped.map((skip) => `${skip.file}: ${skip.reason.split(' (')[0]}`),
    ['db/migration/000001_create_members.down.sql: down migration', 'db/migration/000002_create_payouts.down.sql: down migration'],
  );
});

// A first check of a repository with years of migrations and no migrations.baseline: every old migration is judged
// as not yet deployed, and its lock findings bury the rest. One line says so and names the baseline to set; with the
// baseline (or --changed-since) set, or with few such findings, there is no line.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCliBuilt, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

/** 60 Prisma migrations, each adding an index the way prisma migrate writes it (one lock finding each). */
function prismaMigrations(): Record<string, string> {
  const files: Record<string, string> = { 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' };
  files['prisma/migrations/20230101000000_init/migration.sql'] = 'CREATE TABLE "Event" ("id" TEXT NOT NULL, "kind" TEXT, "at" TIMESTAMP(3));\n';
  for (let i = 1; i <= 60; i++) {
    const stamp = `20230101${String(i).padStart(6, '0')}`;
    files[`prisma/migrations/${stamp}_event_index_${i}/migration.sql`] = `CREATE INDEX "Event_kind_${i}_idx" ON "Event"("kind", "at");\n`;
  }
  return files;
}

const workspaces = [scratchWorkspace({ 'pglens.json': '{}', ...prismaMigrations() }), scratchWorkspace({ 'pglens.json': '{ "migrations": { "baseline": "20230101000030" } }', ...prismaMigrations() })];
after(() => workspaces.forEach((w) => w.remove()));

test('lock findings on migrations that are most of the run: one line naming the newest migration as the baseline to set', async () => {
  const result = await runCli(['check', '.', '--no-embedded'], { cwd: workspaces[0].dir });
  assert.equal(result.code, 0, result.stderr);
  const hint = stderrLines(result).filter((line) => /judged as not yet deployed/.test(line));
  assert.deepEqual(hint, [
    'pglens: 60 of 60 findings are lock findings on 60 of 61 migrations, every one judged as not yet deployed. To judge only new migrations, ' +
      'set "migrations": { "baseline": "20230101000060_event_index_60" } in pglens.json (the last deployed one; later ones are judged) ' +
      'or pass --changed-since origin/main (see docs/locks.md)',
  ]);
});

test('no line once a baseline is set, and none under --quiet', async () => {
  const withBaseline = await runCli(['check', '.', '--no-embedded'], { cwd: workspaces[1].dir });
  assert.equal(withBaseline.code, 0, withBaseline.stderr);
  assert.doesNotMatch(withBaseline.stderr, /judged as not yet deployed/);
  // 30 new migrations, 30 findings: under the threshold of 50 whatever the share.
  assert.match(withBaseline.stdout, /30 problems/);
  const quiet = await runCli(['check', '.', '--no-embedded', '--quiet'], { cwd: workspaces[0].dir });
  assert.doesNotMatch(quiet.stderr, /judged as not yet deployed/);
});

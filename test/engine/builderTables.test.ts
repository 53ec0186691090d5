// Tables a migration creates with a query builder's schema API (find/builderTables.ts) are new and empty for the lock
// rules, as if a CREATE TABLE statement had made them: test/fixtures/realworld/locks-builder-migrations (Kysely and knex).

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { loadConfig } from '../../server/src/engine/config';
import { noteTablesCreatedByBuilders } from '../../server/src/engine/find/builderTables';
import { loadParser } from '../../server/src/engine/parse/parse';
import type { SqlSite } from '../../server/src/engine/types';

const FIXTURE = join(__dirname, '..', 'fixtures', 'realworld', 'locks-builder-migrations');

before(() => loadParser());

/** The findings of a fixture file without a database (the lock rules need none): `line rule headline`. */
async function findingsOf(file: string): Promise<string[]> {
  const engine = new Engine({ config: loadConfig(join(FIXTURE, 'pglens.json'), FIXTURE) });
  const path = join(FIXTURE, file);
  const analysis = await engine.analyzeFile(path, readFileSync(path, 'utf8'));
  return analysis.findings.map((finding) => `${finding.range.start.line + 1} ${finding.ruleId} ${finding.headline}`);
}

describe('tables created by a query builder earlier in the migration', () => {
  test('Kysely: an index on the table db.schema.createTable made is no lock finding; one on an older table is', async () => {
    assert.deepEqual(await findingsOf('src/db/migrations/20250301T000000000Z-report.ts'), [
      '16 require-concurrent-index-creation CREATE INDEX without CONCURRENTLY takes SHARE on moderation_event for the whole build',
    ]);
  });

  test('knex: only SQL after knex.schema.createTable sees the table as new', async () => {
    assert.deepEqual(await findingsOf('migrations/20250302_audit.js'), [
      '2 require-concurrent-index-creation CREATE INDEX without CONCURRENTLY takes SHARE on users for the whole build',
    ]);
  });

  test('the names each site sees: schema-qualified, TypeORM tables, nothing before the first builder call', () => {
    const text = [
      "await q('select 1')",
      "await knex.schema.withSchema('audit').createTable('entries', (t) => t.increments())",
      "await queryRunner.createTable(new Table({ name: 'user_tokens', columns: [] }))",
      "await q('select 2')",
    ].join('\n');
    const sites = ["q('select 1')", "q('select 2')"].map((call) => ({ fileStart: text.indexOf(call) }) as SqlSite);
    noteTablesCreatedByBuilders(text, sites);
    assert.deepEqual(sites.map((site) => site.tablesCreatedBefore), [undefined, ['audit.entries', 'user_tokens']]);
  });
});

// How pglens judges an embedded schema against the code (issue 11): the relations a statement names, and the verdict
// that decides whether "relation does not exist" is a finding, a counted gap, or one line and exit 2.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { assessEmbeddedSchema, relationNamesOf, schemaProblemLine } from '../../server/src/engine/schemaCoverage';
import { sqlSite } from '../rules/planRuleTestUtils';

before(() => loadParser());

const namesOf = (sql: string) => {
  const [statement] = parseSite(sqlSite(sql)).statements;
  const { named, created } = relationNamesOf(statement);
  return { named: [...named].sort(), created: [...created].sort() };
};

describe('relationNamesOf', () => {
  test('FROM, JOIN, subqueries and write targets; not CTE names, not system catalogs', () => {
    assert.deepEqual(
      namesOf(
        'WITH recent AS (SELECT * FROM orders) UPDATE billing.invoices i SET paid = true FROM recent r JOIN customers c ON c.id = r.customer_id ' +
          'WHERE i.order_id = r.id AND EXISTS (SELECT 1 FROM pg_catalog.pg_class, pg_stat_activity, refunds)',
      ).named,
      ['billing.invoices', 'customers', 'orders', 'refunds'],
    );
    assert.deepEqual(namesOf('INSERT INTO audit (id) SELECT id FROM events').named, ['audit', 'events']);
  });

  test('tables the code creates itself are told apart', () => {
    assert.deepEqual(namesOf('CREATE TEMP TABLE scratch (id int)').created, ['scratch']);
    assert.deepEqual(namesOf('CREATE TABLE summary AS SELECT * FROM orders').created, ['summary']);
  });
});

describe('assessEmbeddedSchema', () => {
  const origin = (schemaFiles: string[], schemaProblems: { file: string; line: number; reason: string; kind?: string }[] = []) => ({ schemaFiles, schemaProblems });
  const relations = (named: string[], created: string[] = [], createdElsewhere: string[] = []) => ({ named: new Set(named), created: new Set(created), createdElsewhere: new Set(createdElsewhere) });
  const known = new Set(['customers', 'public.customers', 'orders', 'public.orders']);

  test('a schema holding most named tables is trusted: a missing table there is a finding', () => {
    const verdict = assessEmbeddedSchema(origin(['/ws/migrations/1.sql']), relations(['customers', 'orders', 'ghost']), known, '/ws');
    assert.deepEqual([verdict.trusted, verdict.tooThin, verdict.missing], [true, false, ['ghost']]);
    assert.equal(schemaProblemLine(verdict, 'cli'), undefined);
  });

  test('most named tables missing: too thin, with one line naming files, failures, missing tables and what to do', () => {
    const verdict = assessEmbeddedSchema(
      origin(['/ws/db/1.sql', '/ws/db/2.sql'], [{ file: 'db/2.sql', line: 3, reason: 'syntax error at or near "ENGINE"', kind: 'CreateStmt' }]),
      relations(['customers', 'events', 'sessions']),
      known,
      '/ws',
    );
    assert.deepEqual([verdict.trusted, verdict.tooThin, verdict.missing], [false, true, ['events', 'sessions']]);
    assert.equal(
      schemaProblemLine(verdict, 'cli'),
      'the embedded database has too little of the schema to plan against: built from 2 schema files (db/1.sql, db/2.sql); ' +
        '1 statement failed to load, first db/2.sql:3: syntax error at or near "ENGINE"; 2 of 3 tables the code names are missing (events, sessions). ' +
        'Point "schema" in pglens.json at the files that create these tables, or pass --db URL (--allow-incomplete-schema runs anyway)',
    );
    assert.match(schemaProblemLine(verdict, 'editor')!, /or set database\.url in pglens\.json \(or pglens\.database\.url\)$/);
  });

  test('no schema files: too thin as soon as the code names a table; configured globs are named', () => {
    const verdict = assessEmbeddedSchema(origin([]), relations(['customers']), new Set(), '/ws', ['sql/**/*.sql']);
    assert.equal(verdict.tooThin, true);
    assert.match(verdict.line!, /: no file matches "schema" \(sql\/\*\*\/\*\.sql\); 1 of 1 table the code names is missing \(customers\)$/);
    // Code that names no table at all (SELECT 1) is not refused, but nothing from that schema is trusted either.
    const nothing = assessEmbeddedSchema(origin([]), relations([]), new Set(), '/ws');
    assert.deepEqual([nothing.tooThin, nothing.trusted], [false, false]);
  });

  test('a failed CREATE TABLE makes the schema not whole, not too thin; a table the code creates is not missing', () => {
    const verdict = assessEmbeddedSchema(
      origin(['/ws/migrations/1.sql'], [{ file: 'migrations/1.sql', line: 7, reason: 'type "geometry" does not exist', kind: 'CreateStmt' }]),
      relations(['customers', 'orders', 'scratch'], ['scratch']),
      known,
      '/ws',
    );
    assert.deepEqual([verdict.trusted, verdict.tooThin, verdict.missing], [false, false, []]);
    assert.equal(verdict.reason, 'the embedded schema did not load whole (migrations/1.sql:7: type "geometry" does not exist)');
  });

  test("a table of a schema the embedded database has nothing of is pglens's gap: not trusted, not too thin", () => {
    // The Prisma migrations of one package were found; the code also queries another package's tables in their own schema.
    const verdict = assessEmbeddedSchema(origin(['/ws/packages/db/prisma/migrations/1_init/migration.sql']), relations(['customers', 'orders', 'agent.chats']), known, '/ws');
    assert.deepEqual([verdict.trusted, verdict.tooThin, verdict.missing], [false, false, ['agent.chats']]);
    assert.equal(verdict.reason, 'the embedded schema has no relation of schema agent, which the code names (agent.chats)');
    // The same table created by a checked file (the other package's drizzle migration) is still not in the database.
    const created = assessEmbeddedSchema(origin(['/ws/packages/db/prisma/migrations/1_init/migration.sql']), relations(['customers', 'orders', 'agent.chats'], ['agent.chats'], ['agent.chats']), known, '/ws');
    assert.deepEqual([created.trusted, created.tooThin, created.missing], [false, false, []]);
    assert.equal(created.reason, "agent.chats is created by checked files that are not among the embedded schema's files");
    // A table the schema files created and a later migration dropped (older migrations name it): still trusted.
    const dropped = assessEmbeddedSchema(origin(['/ws/migrations/1.sql', '/ws/migrations/2.sql']), relations(['customers', 'orders', 'legacy_flags'], ['legacy_flags']), known, '/ws');
    assert.deepEqual([dropped.trusted, dropped.missing], [true, []]);
    // A missing table of a schema the database has is still the code's (a typo, a dropped table): trusted.
    const typo = assessEmbeddedSchema(origin(['/ws/migrations/1.sql']), relations(['customers', 'orders', 'public.custmers']), known, '/ws');
    assert.deepEqual([typo.trusted, typo.missing], [true, ['public.custmers']]);
  });

  test('a CREATE refused because the relation already exists (a second migrations folder creating it again) leaves the schema whole', () => {
    const verdict = assessEmbeddedSchema(
      origin(['/ws/packages/db/prisma/migrations/1_init/migration.sql', '/ws/packages/jobs-db/migrations/1_init/migration.sql'], [
        { file: 'packages/jobs-db/migrations/1_init/migration.sql', line: 38, reason: 'relation "orders" already exists', kind: 'CreateStmt' },
      ]),
      relations(['customers', 'orders']),
      known,
      '/ws',
    );
    assert.deepEqual([verdict.trusted, verdict.tooThin, verdict.reason], [true, false, undefined]);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { explainStatement, isExplainable, PlanningError } from '../../server/src/engine/db/explain';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { walkPlan } from '../../server/src/engine/plan/model';
import { getSharedTestDatabase } from '../harness/postgres';
import { fixtureDatabase, sqlSite } from '../rules/planRuleTestUtils';

async function statementOf(sql: string) {
  await loadParser();
  const { statements } = parseSite(sqlSite(sql));
  assert.equal(statements.length, 1);
  return statements[0];
}

const options = { statementTimeoutMs: 2000, lockTimeoutMs: 100 };

describe('explainStatement', () => {
  test('parameters get a generic plan on PostgreSQL 15 (PREPARE + force_generic_plan), not a folded One-Time Filter', async () => {
    const { client } = await fixtureDatabase();
    const plan = await explainStatement(client, await statementOf('select * from orders where id = $1'), options);
    assert.equal(plan.generic, true);
    const nodes = [...walkPlan(plan.root)].map(({ node }) => node);
    assert.ok(nodes.some((n) => /Index/.test(n.nodeType) && n.relationName === 'orders'), JSON.stringify(nodes.map((n) => n.nodeType)));
    assert.ok(!nodes.some((n) => n.oneTimeFilter === 'false'));
    assert.ok(plan.notes.some((note) => /generic plan/.test(note)));
  });

  test('the prepared statement is deallocated and no transaction is left open on the session', async () => {
    const { client } = await fixtureDatabase();
    const statement = await statementOf('select * from users where email = $1 and account_id = $2');
    await client.withSession(async (session) => {
      // Run the EXPLAIN on this very session by giving the client a one-session view of it.
      const single = {
        info: client.info,
        withSession: <T>(work: (s: typeof session) => Promise<T>) => work(session),
        withDedicatedSession: <T>(work: (s: typeof session) => Promise<T>) => work(session),
        close: async () => undefined,
      };
      await explainStatement(single, statement, options);
      const prepared = await session.query<{ n: string }>('select count(*)::text as n from pg_prepared_statements');
      assert.equal(prepared.rows[0].n, '0');
      const state = await session.query<{ s: string }>("select current_setting('transaction_read_only') as s");
      assert.equal(state.rows[0].s, 'off', 'outside the read-only EXPLAIN transaction again');
    });
  });

  test('EXPLAIN of INSERT, UPDATE and DELETE changes nothing', async () => {
    const { client } = await fixtureDatabase();
    const shared = await getSharedTestDatabase();
    const count = async () => {
      const c = new Client({ connectionString: shared.url });
      await c.connect();
      try {
        return (await c.query<{ n: string }>('select (select count(*) from countries)::text || \'/\' || (select count(*) from plans)::text as n')).rows[0].n;
      } finally {
        await c.end();
      }
    };
    const before = await count();
    for (const sql of [
      "insert into countries (code, name, region) values ('ZZ', 'Nowhere', 'None')",
      "update plans set name = name || 'x'",
      'delete from countries',
    ]) {
      const plan = await explainStatement(client, await statementOf(sql), options);
      assert.equal(plan.root.nodeType, 'ModifyTable');
    }
    assert.equal(await count(), before);
  });

  test('a missing table is a PlanningError with PostgreSQL’s message and the position in the statement, after non-ASCII text', async () => {
    const { client } = await fixtureDatabase();
    const sql = "select 'ü😀' as x, id from orderz where id = 1";
    try {
      await explainStatement(client, await statementOf(sql), options);
      assert.fail('expected a PlanningError');
    } catch (error) {
      assert.ok(error instanceof PlanningError, String(error));
      assert.match(error.message, /relation "orderz" does not exist/);
      assert.equal(error.code, '42P01');
      assert.equal(sql.slice(error.statementOffset!).startsWith('orderz'), true);
    }
  });

  test('only queries are explainable: DDL, SET and transaction control are not', async () => {
    assert.equal(isExplainable(await statementOf('select 1')), true);
    assert.equal(isExplainable(await statementOf("update orders set note = 'x' where id = 1")), true);
    assert.equal(isExplainable(await statementOf('create index on orders (note)')), false);
    assert.equal(isExplainable(await statementOf('set search_path = x')), false);
    assert.equal(isExplainable(await statementOf('begin')), false);
    assert.equal(isExplainable(await statementOf('select * into t2 from orders')), false);
  });
});

// RuleTester cases (ruleTester.ts) of the rules that read a plan or the database's schema facts: the plan rules,
// fk-without-index and deep-offset-pagination, EXPLAINed against the fixture database of the test harness (one
// connection per test file). Estimates vary with ANALYZE's sample, so their data are matched by pattern.

import type { RuleCases } from '../ruleTester';

const COUNT = /^[\d.,]+[kMB]?$/;
const COST = /^[\d,]+$/;

export const plannedRuleCases: Record<string, RuleCases> = {
  'seq-scan-large-table': {
    // System columns cannot be indexed: no index is missing for a filter on xmin.
    valid: ['select id from orders where id = 1', 'select count(*) from countries', "select id from orders where xmin::text = '5'"],
    invalid: [
      {
        sql: "select id from orders where note = 'x'",
        messageId: 'seqScan',
        data: { table: 'orders', rows: '300k', kept: COUNT, share: /%$/, condition: /note/ },
        headline: /^Seq Scan on orders reads all ~300k rows to keep ~[\d.,k]+ \([\d.]+%\) where/,
        anchor: 'orders',
      },
    ],
  },
  'large-sort': {
    valid: ['select id from orders order by created_at desc limit 10', 'select id from orders order by xmin::text desc limit 10'],
    invalid: [
      {
        sql: 'select id, total_cents from orders order by total_cents desc limit 10',
        messageId: 'sortsTableForLimit',
        data: { rows: '300k', table: 'orders', limit: '10', keys: 'total_cents DESC', cost: COST },
        anchor: 'total_cents desc',
      },
      { sql: 'select id from orders order by total_cents', messageId: 'sortsTable', data: { rows: '300k', table: 'orders', keys: 'total_cents' } },
    ],
  },
  'modify-scans-large-table': {
    valid: ['update orders set note = null where id = 1'],
    invalid: [{ sql: "update orders set note = null where note = 'x'", messageId: 'seqScanToFind', data: { operation: 'UPDATE', rows: '300k', table: 'orders', matched: /rows?$/, cost: COST }, anchor: 'orders' }],
  },
  'function-on-indexed-column': {
    valid: ["select id from users where email = 'ann@example.com'", "select id from users where lower(full_name) = 'ann'"],
    invalid: [
      {
        sql: "select id from users where lower(email) = 'ann@example.com'",
        messageId: 'hidesIndex',
        data: { expression: 'lower(email)', table: 'users', column: 'email', index: 'users_email_key', rows: COUNT },
        anchor: 'lower(email)',
      },
    ],
  },
  'index-would-help': {
    valid: ['select id from orders where id = $1', 'select count(*) from countries'],
    invalid: [{ sql: "select count(*) from orders where status = 'shipped'", messageId: 'indexHelps', data: { cost: COST } }],
  },
  'join-without-condition': {
    valid: [
      "select u.email, o.id from users u join orders o on o.user_id = u.id where o.status = 'pending'",
      'select * from countries cross join currencies',
      // A product the code writes down is wanted, whatever the sizes.
      "select u.email, o.id from users u cross join orders o where o.status = 'pending'",
      "select u.email, o.id from users u join orders o on true where o.status = 'pending'",
    ],
    invalid: [{ sql: "select u.email, o.id from users u, orders o where o.status = 'pending'", messageId: 'crossJoin', data: { rows: COUNT, cost: COST } }],
  },
  'leading-wildcard-like': {
    valid: ["select id from users where full_name like 'Ann%'", "select * from countries where name like '%land'"],
    invalid: [
      {
        sql: "select id from orders where customer_email like '%@example.com'",
        messageId: 'leadingWildcard',
        data: { operator: 'LIKE', table: 'orders', column: 'customer_email', rows: '300k', cost: COST },
      },
    ],
  },
  'limit-trap': {
    valid: ['select * from orders order by created_at limit 50', 'select * from orders where id = $1 limit 1'],
    invalid: [{ sql: "select * from orders where status = 'pending' order by created_at limit 50", messageId: 'limitWalksIndex', data: { limit: '50', table: 'orders' } }],
  },
  'nested-loop-inner-scan': {
    valid: ['select o.id, i.sku from orders o join order_items i on i.order_id = o.id where o.id = $1'],
    invalid: [
      {
        sql: `select a.id, x.total_cents
from accounts a
cross join lateral (select o.total_cents from orders o where o.account_id = a.id order by o.created_at desc limit 1) x
where a.status = 'trial'`,
        messageId: 'innerScan',
        data: { rows: COUNT, table: 'orders', loops: COUNT, cost: COST },
      },
    ],
  },
  'cost-budget': {
    valid: ['select * from orders', 'select * from orders where id = 1'],
    invalid: [
      { sql: 'select * from orders', options: { maxCost: 1000 }, messageId: 'overBudget', data: { cost: COST, budget: '1,000', source: 'rules.cost-budget.options.maxCost' }, anchor: 'select' },
      { sql: 'select * from orders', options: { statementBudget: 500 }, messageId: 'overBudget', data: { budget: '500', source: '-- pglens: budget 500' } },
    ],
  },
  'fk-without-index': {
    planned: true,
    valid: ["update invoices set status = 'paid' where id = $1"],
    invalid: [{ sql: 'delete from accounts where id = $1', messageId: 'deleteChecksChild', data: { parent: 'accounts', child: 'invoices', columns: 'account_id', rows: COUNT } }],
  },
  'deep-offset-pagination': {
    planned: true,
    valid: ['select id from orders order by created_at limit 20 offset 100'],
    invalid: [
      { sql: 'select id, created_at from orders where account_id = $1 order by created_at desc, id desc limit 20 offset 5000', messageId: 'constantOffset', data: { offset: 5000, rows: '5,000' } },
      { sql: 'select o.id from orders o where o.account_id = $1 order by o.created_at desc limit $3 offset $2', options: { flagParameterOffsets: true }, messageId: 'parameterOffset' },
    ],
  },
};

// Plan rules in one table (ruleTester.ts), against the fixture database: SQL each flags, with its headline and
// anchor, and SQL it leaves alone. Every headline is held to the message contract (<= 120 characters, nothing twice).

import { ruleTester } from './ruleTester';
import { planRules } from '../../server/src/engine/rules/plan/index';

const rule = (id: string) => planRules.find((r) => r.meta.id === id)!;

ruleTester.run(rule('seq-scan-large-table'), {
  valid: ['select id from orders where id = 1', 'select count(*) from countries'],
  invalid: [{ sql: "select id from orders where note = 'x'", headline: /^Seq Scan on orders reads all ~300k rows to keep ~[\d.,k]+ \([\d.]+%\) where/, anchor: 'orders' }],
});

ruleTester.run(rule('large-sort'), {
  valid: ['select id from orders order by created_at desc limit 10'],
  invalid: [
    { sql: 'select id, total_cents from orders order by total_cents desc limit 10', headline: /^Sorts ~300k rows of orders to return 10 by total_cents DESC \(estimated cost [\d,]+\)$/, anchor: 'total_cents desc' },
    { sql: 'select id from orders order by total_cents', headline: /^Sorts ~300k rows of orders by total_cents \(estimated cost [\d,]+\)$/ },
  ],
});

ruleTester.run(rule('modify-scans-large-table'), {
  valid: ['update orders set note = null where id = 1'],
  invalid: [{ sql: "update orders set note = null where note = 'x'", headline: /^UPDATE reads all ~300k rows of orders with a Seq Scan to find ~[\d.,k]+ rows? \(estimated cost [\d,]+\)$/, anchor: 'orders' }],
});

// examples/shop as a real database: its migrations, rows at the volumes of its pglens.json (made by generate_series,
// the same rows every time), ANALYZE; and its queries sent the way the application sends them, for
// pg_stat_statements to count.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Client } from 'pg';

// dirname(__filename), not __dirname: see postgres.ts.
export const SHOP_DIR = resolve(dirname(__filename), '..', '..', 'examples', 'shop');

/**
 * The migrations, then rows: customers with personal data (email, name), skewed orders, events. Few orders are pending:
 * the workload's UPDATE of them, rolled back, leaves that many dead rows each time.
 */
export async function loadShopDatabase(client: Client, scale = 1): Promise<void> {
  const migrations = join(SHOP_DIR, 'migrations');
  for (const file of readdirSync(migrations).filter((name) => name.endsWith('.sql')).sort()) await client.query(readFileSync(join(migrations, file), 'utf8'));
  const n = (count: number) => Math.max(1, Math.round(count * scale));
  const customers = n(50_000);
  const products = n(20_000);
  await client.query(`
    insert into customers (email, name, country, created_at)
    select 'customer' || i || '@example.com', 'Customer Number ' || i,
           (array['US', 'US', 'US', 'DE', 'DE', 'FR', 'GB', 'JP'])[1 + i % 8],
           timestamptz '2024-01-01' + i * interval '7 minutes'
      from generate_series(1::bigint, ${customers}) i;
    insert into products (sku, name, description, price_cents, active, created_at)
    select 'SKU-' || i, 'Product ' || i, 'About product ' || i, 100 + (i * 37) % 10000, i % 10 <> 0,
           timestamptz '2023-01-01' + i * interval '1 hour'
      from generate_series(1::bigint, ${products}) i;
    insert into orders (customer_id, status, total_cents, created_at, updated_at, shipping_method)
    select 1 + ((i * 7919) % ${customers}),
           case when i % 1000 = 0 then 'pending' when i % 50 = 0 then 'cancelled' when i % 10 = 0 then 'paid'
                when i % 9 = 0 then 'shipped' else 'delivered' end,
           (i * 131) % 50000, timestamptz '2024-01-01' + i * interval '2 minutes', timestamptz '2024-01-01' + i * interval '2 minutes',
           (array['standard', 'express', 'pickup', null])[1 + i % 4]
      from generate_series(1::bigint, ${n(300_000)}) i;
    insert into order_items (order_id, product_id, quantity, unit_cents)
    select o, 1 + ((o * 2 + k) % ${products}), 1 + (o + k) % 5, 100 + (o * 7 + k) % 5000
      from generate_series(1::bigint, ${n(300_000)}) o, generate_series(0, 1) k;
    insert into events (customer_id, kind, payload, occurred_at)
    select 1 + (i * 104729) % ${customers}, (array['page_view', 'page_view', 'page_view', 'add_to_cart', 'checkout', 'refund']::event_kind[])[1 + i % 6],
           jsonb_build_object('page', '/p/' || (i % 500)), timestamptz '2024-06-01' + i * interval '1 minute'
      from generate_series(1::bigint, ${n(200_000)}) i;
    analyze;
  `);
}

/** One application query: the text as the code's driver sends it, and parameters for its i-th call. */
export interface ShopQuery {
  /** Where it is written in examples/shop: "src/orders.ts:13". */
  site: string;
  text: string;
  params(i: number): unknown[];
}

/**
 * The statements of examples/shop/src as pg, Prisma's $queryRaw and the `sql` tag send them ($n for every value), the
 * UPDATE with its constants inline. `site` is the line of the code that holds the SQL.
 */
export const SHOP_QUERIES: ShopQuery[] = [
  { site: 'src/catalog.ts:9', text: `SELECT id, sku, name, price_cents FROM products WHERE name ILIKE '%' || $1 || '%' AND active LIMIT 50`, params: (i) => [`${i % 97}`] },
  { site: 'src/catalog.ts:14', text: 'SELECT id, sku, name, description, price_cents FROM products WHERE id = $1', params: (i) => [1 + (i % 1000)] },
  { site: 'src/catalog.ts:19', text: 'SELECT kind, payload, occurred_at FROM events WHERE customer_id = $1 ORDER BY occurred_at DESC LIMIT 50', params: (i) => [1 + (i % 1000)] },
  { site: 'src/customers.ts:12', text: 'SELECT id, email, name, country FROM customers WHERE id = $1', params: (i) => [1 + (i % 1000)] },
  { site: 'src/customers.ts:19', text: 'SELECT id, email, name, country FROM customers WHERE lower(email) = $1', params: (i) => [`customer${i}@example.com`] },
  { site: 'src/customers.ts:25', text: 'SELECT count(*) AS n FROM customers', params: () => [] },
  {
    site: 'src/orders.ts:14',
    text: `SELECT id, customer_id, status, total_cents, created_at
       FROM orders
      WHERE customer_id = $1
      ORDER BY created_at DESC`,
    params: (i) => [1 + (i % 1000)],
  },
  { site: 'src/orders.ts:25', text: 'SELECT id, customer_id, status, total_cents, created_at FROM orders ORDER BY created_at DESC LIMIT 20', params: () => [] },
  {
    site: 'src/orders.ts:33',
    text: "UPDATE orders SET status = 'cancelled', updated_at = now() WHERE status = 'pending' AND created_at < now() - interval '30 days'",
    params: () => [],
  },
  {
    site: 'src/orders.ts:40',
    text: `
  SELECT p.name, i.quantity, i.unit_cents
    FROM order_items i
    JOIN products p ON p.id = i.product_id
   WHERE i.order_id = $1`,
    params: (i) => [1 + (i % 1000)],
  },
  { site: 'src/orders.ts:51', text: 'SELECT code, label, price_cents FROM shipping_methods ORDER BY price_cents', params: () => [] },
];

/** Runs every shop query `times` times (the UPDATE inside a rolled-back transaction: the rows stay as loaded). */
export async function runShopWorkload(client: Client, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    for (const query of SHOP_QUERIES) {
      const modifies = /^\s*update/i.test(query.text);
      if (modifies) await client.query('begin');
      await client.query(query.text, query.params(i));
      if (modifies) await client.query('rollback');
    }
  }
}

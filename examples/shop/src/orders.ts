import { pool } from './db';

export interface Order {
  id: number;
  customer_id: number;
  status: string;
  total_cents: number;
  created_at: Date;
}

// Slow: orders.customer_id has no index (only a foreign key), so a customer's order history scans all orders.
export async function ordersOfCustomer(customerId: number): Promise<Order[]> {
  const result = await pool.query(
    `SELECT id, customer_id, status, total_cents, created_at
       FROM orders
      WHERE customer_id = $1
      ORDER BY created_at DESC`,
    [customerId],
  );
  return result.rows;
}

// Slow: newest orders first, but created_at has no index: a top-N sort of the whole table for 20 rows.
export async function latestOrders(): Promise<Order[]> {
  const result = await pool.query(/* sql */ `SELECT id, customer_id, status, total_cents, created_at FROM orders ORDER BY created_at DESC LIMIT 20`);
  return result.rows;
}

// Slow and dangerous: no index on status, so this UPDATE scans (and visits) every order while it holds row
// locks on the ones it changes: the pattern of long-running, lock-holding maintenance jobs.
export async function cancelStalePendingOrders(): Promise<number> {
  const result = await pool.query(
    "UPDATE orders SET status = 'cancelled', updated_at = now() WHERE status = 'pending' AND created_at < now() - interval '30 days'",
  );
  return result.rowCount ?? 0;
}

// Good: order lines joined through the indexed foreign key order_items.product_id and the products primary key.
const ORDER_LINES = /* sql */ `
  SELECT p.name, i.quantity, i.unit_cents
    FROM order_items i
    JOIN products p ON p.id = i.product_id
   WHERE i.order_id = $1`;

export async function orderLines(orderId: number) {
  return (await pool.query(ORDER_LINES, [orderId])).rows;
}

// Good: the shipping methods table has three rows; scanning it is the best plan there is.
export async function shippingMethods() {
  return (await pool.query('SELECT code, label, price_cents FROM shipping_methods ORDER BY price_cents')).rows;
}

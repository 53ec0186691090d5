// Product search and analytics, written with Prisma's raw-query API.
import { PrismaClient } from '@prisma/client';

const prisma = new PrismaClient();

// Slow: a leading wildcard cannot use a b-tree index, so every search reads all products.
// Fix: a pg_trgm GIN index (CREATE EXTENSION pg_trgm; CREATE INDEX ... USING gin (name gin_trgm_ops)).
export async function searchProducts(term: string) {
  return prisma.$queryRaw`SELECT id, sku, name, price_cents FROM products WHERE name ILIKE '%' || ${term} || '%' AND active LIMIT 50`;
}

// Good: the product page, by primary key.
export async function productById(id: number) {
  return prisma.$queryRaw`SELECT id, sku, name, description, price_cents FROM products WHERE id = ${id}`;
}

// Good: a customer's recent events through the index on events.customer_id.
export async function recentEvents(customerId: number) {
  return prisma.$queryRaw`SELECT kind, payload, occurred_at FROM events WHERE customer_id = ${customerId} ORDER BY occurred_at DESC LIMIT 50`;
}

import { many, pool, sql } from './db';

export interface Customer {
  id: number;
  email: string;
  name: string;
  country: string;
}

// Good: primary-key lookup.
export async function customerById(id: number): Promise<Customer | undefined> {
  const result = await pool.query('SELECT id, email, name, country FROM customers WHERE id = $1', [id]);
  return result.rows[0];
}

// Slow: the unique index is on email, but the predicate wraps it in lower(), so every login scans all customers.
// Fix: an expression index on lower(email) (or store emails lower-cased and compare them as they are).
export async function customerByEmail(email: string): Promise<Customer | undefined> {
  const rows = await many<Customer>(sql`SELECT id, email, name, country FROM customers WHERE lower(email) = ${email.toLowerCase()}`);
  return rows[0];
}

// Good: a whole-table aggregate reads every row by design; no index would help.
export async function customerCount(): Promise<number> {
  const result = await pool.query('SELECT count(*) AS n FROM customers');
  return Number(result.rows[0].n);
}

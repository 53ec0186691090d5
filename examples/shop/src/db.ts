// Database access for the shop: one pg Pool, and a tiny `sql` tag that turns a template into a parameterised
// query ({ text: 'SELECT ... $1', values: [...] }), the shape pg, postgres.js and slonik all use.
import { Pool } from 'pg';

export const pool = new Pool({ connectionString: process.env.DATABASE_URL });

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlQuery {
  return { text: strings.reduce((text, part, i) => `${text}$${i}${part}`), values };
}

export async function many<Row>(query: SqlQuery): Promise<Row[]> {
  const result = await pool.query(query.text, query.values);
  return result.rows as Row[];
}

// Volatility of functions that appear in column defaults. Since PostgreSQL 11, ALTER TABLE ... ADD COLUMN
// with a default is instant (the value is stored once in pg_attribute.attmissingval) unless the default is
// VOLATILE: then every existing row needs its own value and the table is rewritten under ACCESS EXCLUSIVE
// (ALTER TABLE docs, "Notes": "Adding a column with a volatile DEFAULT ... will require the entire table and
// its indexes to be rewritten"). Each built-in entry below is checked against pg_proc.provolatile by
// test/locks/lockModel.server.test.ts.

import { walkAst, type AstNode } from '../parse/parse';

export type Volatility = 'immutable' | 'stable' | 'volatile';

/** Built-in functions (pg_catalog) by name; every overload of the name has this volatility. */
export const BUILTIN_FUNCTION_VOLATILITY: Readonly<Record<string, Volatility>> = {
  // volatile: a different value per row, so a default with one of these rewrites the table
  random: 'volatile',
  gen_random_uuid: 'volatile',
  clock_timestamp: 'volatile',
  timeofday: 'volatile',
  nextval: 'volatile',
  setval: 'volatile',
  // stable: one value per statement, stored once as the "missing value"; no rewrite
  now: 'stable',
  transaction_timestamp: 'stable',
  statement_timestamp: 'stable',
  current_setting: 'stable',
  // immutable
  lower: 'immutable',
  upper: 'immutable',
  md5: 'immutable',
  abs: 'immutable',
  btrim: 'immutable',
  replace: 'immutable',
  make_interval: 'immutable',
};

/** Functions of common extensions (not in pg_catalog); checked against the server when the extension is available. */
export const EXTENSION_FUNCTION_VOLATILITY: Readonly<Record<string, { extension: string; volatility: Volatility }>> = {
  uuid_generate_v1: { extension: 'uuid-ossp', volatility: 'volatile' },
  uuid_generate_v1mc: { extension: 'uuid-ossp', volatility: 'volatile' },
  uuid_generate_v4: { extension: 'uuid-ossp', volatility: 'volatile' },
  gen_random_bytes: { extension: 'pgcrypto', volatility: 'volatile' },
};

/** Serial pseudo-types: the column gets `DEFAULT nextval(...)`, which is volatile. */
export const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

export interface ExpressionVolatility {
  /** The most volatile part; functions pglens does not know count as volatile (CREATE FUNCTION's default). */
  volatility: Volatility;
  /** Known-volatile or unknown function calls, with their parse-tree locations (UTF-8 bytes). */
  volatileCalls: { name: string; location: number; known: boolean }[];
}

const RANK: Record<Volatility, number> = { immutable: 0, stable: 1, volatile: 2 };

export function functionVolatility(name: string): Volatility | undefined {
  const bare = name.toLowerCase();
  return BUILTIN_FUNCTION_VOLATILITY[bare] ?? EXTENSION_FUNCTION_VOLATILITY[bare]?.volatility;
}

/** Volatility of a default expression from its parse tree. */
export function expressionVolatility(expr: AstNode): ExpressionVolatility {
  let volatility: Volatility = 'immutable';
  const volatileCalls: ExpressionVolatility['volatileCalls'] = [];
  const raise = (v: Volatility) => {
    if (RANK[v] > RANK[volatility]) volatility = v;
  };
  walkAst({ root: expr }, (type, body) => {
    if (type === 'FuncCall') {
      const parts = (body.funcname ?? []).map((n: AstNode) => n.String?.sval ?? '');
      const name = parts[parts.length - 1] ?? '';
      const schema = parts.length > 1 ? parts[0] : undefined;
      const known = schema === undefined || schema === 'pg_catalog' || schema === 'public' ? functionVolatility(name) : undefined;
      if (known === undefined) {
        raise('volatile');
        volatileCalls.push({ name: parts.join('.'), location: body.location ?? 0, known: false });
      } else {
        raise(known);
        if (known === 'volatile') volatileCalls.push({ name: parts.join('.'), location: body.location ?? 0, known: true });
      }
    } else if (type === 'SQLValueFunction') {
      // CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP, CURRENT_USER ...: stable
      raise('stable');
    } else if (type === 'SubLink') {
      raise('volatile');
    }
  });
  return { volatility, volatileCalls };
}

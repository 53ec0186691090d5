// Whether ALTER COLUMN ... TYPE rewrites the table. PostgreSQL skips the rewrite (and keeps the indexes)
// when the old type is binary-coercible to the new one and no length/precision check can fail: ALTER TABLE
// docs, "Notes": "changing the type of an existing column will require the entire table and its indexes to be
// rewritten. As an exception, when changing the type of an existing column, if the USING clause does not change
// the column contents and the old type is either binary coercible to the new type or an unconstrained domain
// over the new type, a table rewrite is not needed". varchar's length increase is a no-op through its planner
// support function (varchar_support), numeric's precision increase through numeric_support.

import type { AstNode } from '../parse/parse';

export interface ColumnType {
  /** Canonical base name: int4, int8, varchar, text, numeric, timestamptz ... */
  base: string;
  /** Type modifiers: varchar(n) → [n], numeric(p,s) → [p, s]. */
  mods: number[];
  array: boolean;
}

const ALIASES: Record<string, string> = {
  integer: 'int4',
  int: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  decimal: 'numeric',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
  'double precision': 'float8',
  real: 'float4',
  boolean: 'bool',
  'bit varying': 'varbit',
};

export function canonicalTypeName(name: string): string {
  const n = name.toLowerCase().replace(/\s+/g, ' ').trim();
  return ALIASES[n] ?? n;
}

/** From a parse-tree TypeName. */
export function columnTypeFromAst(typeName: AstNode): ColumnType {
  const names: string[] = (typeName.names ?? []).map((n: AstNode) => n.String?.sval ?? '');
  const base = canonicalTypeName(names[names.length - 1] ?? '');
  const mods: number[] = (typeName.typmods ?? [])
    .map((m: AstNode) => m.A_Const?.ival?.ival ?? (m.A_Const?.ival ? 0 : undefined))
    .filter((v: number | undefined): v is number => typeof v === 'number');
  return { base, mods, array: Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0 };
}

/** From format_type() output (schema facts): "character varying(50)", "numeric(10,2)", "timestamp(3) with time zone", "integer[]". */
export function columnTypeFromText(text: string): ColumnType {
  let t = text.trim().toLowerCase();
  const array = t.endsWith('[]');
  if (array) t = t.replace(/(\[\])+$/, '');
  const m = /^([a-z0-9_ ."]+?)\s*(?:\(([^)]*)\))?\s*(with time zone|without time zone)?$/.exec(t);
  if (!m) return { base: canonicalTypeName(t), mods: [], array };
  const name = m[3] ? `${m[1].trim()} ${m[3]}` : m[1].trim();
  const mods = m[2] ? m[2].split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n)) : [];
  return { base: canonicalTypeName(name.replace(/^pg_catalog\./, '')), mods, array };
}

export function formatColumnType(type: ColumnType): string {
  return `${type.base}${type.mods.length ? `(${type.mods.join(',')})` : ''}${type.array ? '[]' : ''}`;
}

/** True when changing from `from` to `to` needs no rewrite (see the docs quoted above). */
export function isBinaryCoercibleChange(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false;
  const widerOrUnconstrained = (a: number[], b: number[]) => b.length === 0 || (a.length > 0 && b[0] >= a[0]);
  if (from.base === to.base) {
    if (from.mods.join(',') === to.mods.join(',')) return true;
    switch (from.base) {
      case 'varchar':
      case 'varbit':
      case 'timestamp':
      case 'timestamptz':
      case 'time':
      case 'timetz':
      case 'interval':
        return widerOrUnconstrained(from.mods, to.mods);
      case 'numeric':
        // same scale, precision not lower; or unconstrained numeric
        if (to.mods.length === 0) return true;
        if (from.mods.length === 0) return false;
        return to.mods[0] >= from.mods[0] && (to.mods[1] ?? 0) === (from.mods[1] ?? 0);
      default:
        return false;
    }
  }
  if (from.base === 'varchar' && to.base === 'text') return true;
  if (from.base === 'text' && to.base === 'varchar' && to.mods.length === 0) return true;
  if (from.base === 'cidr' && to.base === 'inet') return true;
  return false;
}

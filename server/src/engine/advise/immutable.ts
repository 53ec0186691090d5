// Whether an expression may be an index key or part of an index predicate: PostgreSQL requires every function,
// operator and cast in it to be IMMUTABLE ("functions in index expression must be marked IMMUTABLE"). With hypopg or
// an index trial PostgreSQL says so itself; without either, a suggestion such as `((created_at::date))` on a
// timestamptz column would reach the user unverified and fail when run. So every function, operator and cast of an
// expression key or predicate is looked up in pg_proc / pg_operator / pg_cast first, with the column's type where
// it is the argument; anything unknown counts as not immutable (the candidate is dropped, the rewrite is offered).

import type { AstNode } from '../parse/parse';
import { walkAst } from '../parse/parse';

export type VolatilityProbe =
  | { kind: 'function'; name: string; argCount: number; columnPosition?: number; columnType?: string }
  | { kind: 'operator'; name: string; leftType?: string }
  | { kind: 'cast'; target: string; sourceType?: string }
  /** A construct that is never immutable (CURRENT_DATE, a subquery, a parameter's run-time value). */
  | { kind: 'never'; what: string };

/** The column (unqualified) a node refers to directly, if it is a plain column reference. */
function columnOf(node: AstNode): string | undefined {
  const fields = node?.ColumnRef?.fields as AstNode[] | undefined;
  const last = fields?.at(-1)?.String?.sval;
  return typeof last === 'string' ? last : undefined;
}

function typeNameText(typeName: AstNode): string {
  const names = ((typeName?.names ?? []) as AstNode[]).map((n) => n.String?.sval).filter((n): n is string => typeof n === 'string');
  // pg_catalog.int4 and friends: the qualified internal name resolves with to_regtype as written.
  const base = names.join('.');
  return typeName?.arrayBounds?.length ? `${base}[]` : base;
}

/** What must be immutable for `tree` (an expression over columns of one table) to be indexable. */
export function volatilityProbes(tree: AstNode, columnTypes: (column: string) => string | undefined): VolatilityProbe[] {
  const probes: VolatilityProbe[] = [];
  walkAst(tree, (type, body) => {
    if (type === 'FuncCall') {
      const name = body.funcname?.at(-1)?.String?.sval;
      const args = (body.args ?? []) as AstNode[];
      if (typeof name !== 'string') {
        probes.push({ kind: 'never', what: 'a function without a name' });
        return;
      }
      const position = args.findIndex((a) => columnOf(a) !== undefined);
      const column = position >= 0 ? columnOf(args[position]) : undefined;
      probes.push({ kind: 'function', name, argCount: args.length, columnPosition: position >= 0 ? position : undefined, columnType: column ? columnTypes(column) : undefined });
    } else if (type === 'A_Expr') {
      const name = body.name?.at(-1)?.String?.sval;
      if (body.kind === 'AEXPR_OP' && typeof name === 'string') {
        const left = columnOf(body.lexpr);
        probes.push({ kind: 'operator', name, leftType: left ? columnTypes(left) : undefined });
      }
      // LIKE, IN, BETWEEN, DISTINCT: their operators are the type's own comparison operators (immutable for
      // built-in types); = and the others of AEXPR_OP above are looked up.
    } else if (type === 'TypeCast') {
      // A cast of a literal is folded into a constant by the parser: nothing runs at index time.
      if (body.arg?.A_Const) return;
      const column = columnOf(body.arg);
      probes.push({ kind: 'cast', target: typeNameText(body.typeName), sourceType: column ? columnTypes(column) : undefined });
    } else if (type === 'SQLValueFunction') probes.push({ kind: 'never', what: 'CURRENT_DATE/CURRENT_TIMESTAMP/CURRENT_USER' });
    else if (type === 'SubLink') probes.push({ kind: 'never', what: 'a subquery' });
    else if (type === 'ParamRef') probes.push({ kind: 'never', what: 'a parameter' });
  });
  return probes;
}

/** One query per probe, true when PostgreSQL's catalogs say it is immutable. Unknown names and types answer false. */
export function probeSql(probe: VolatilityProbe): { text: string; values: unknown[] } | undefined {
  switch (probe.kind) {
    case 'never':
      return undefined;
    case 'function':
      // The overloads taking the column's type at its position, else (an implicit cast: lower(varchar)) all of them.
      return {
        text: `WITH overloads AS (
                 SELECT p.provolatile = 'i' AS immutable, $3::int IS NOT NULL AND p.proargtypes[$3::int] = to_regtype($4) AS exact
                   FROM pg_catalog.pg_proc p WHERE p.proname = $1 AND p.pronargs = $2)
               SELECT coalesce(CASE WHEN bool_or(exact) THEN bool_and(immutable) FILTER (WHERE exact) ELSE bool_and(immutable) END, false) AS immutable
                 FROM overloads`,
        values: [probe.name, probe.argCount, probe.columnPosition ?? null, probe.columnType ?? null],
      };
    case 'operator':
      return {
        text: `WITH operators AS (
                 SELECT p.provolatile = 'i' AS immutable, o.oprleft = to_regtype($2) AS exact
                   FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode WHERE o.oprname = $1)
               SELECT coalesce(CASE WHEN bool_or(exact) THEN bool_and(immutable) FILTER (WHERE exact) ELSE bool_and(immutable) END, false) AS immutable
                 FROM operators`,
        values: [probe.name, probe.leftType ?? null],
      };
    case 'cast':
      // A cast function ('f') must be immutable; binary coercion ('b') is; an I/O conversion ('i', or no pg_cast row:
      // timestamptz::text) runs the source's output and the target's input functions, both of which must be.
      return {
        text: `WITH types AS (SELECT to_regtype($1) AS source, to_regtype($2) AS target),
               io AS (
                 SELECT (SELECT p.provolatile = 'i' FROM pg_catalog.pg_type t JOIN pg_catalog.pg_proc p ON p.oid = t.typoutput WHERE t.oid = types.source)
                    AND (SELECT p.provolatile = 'i' FROM pg_catalog.pg_type t JOIN pg_catalog.pg_proc p ON p.oid = t.typinput WHERE t.oid = types.target) AS immutable
                   FROM types)
               SELECT coalesce(CASE
                 WHEN types.target IS NULL THEN false
                 WHEN types.source IS NULL THEN (SELECT bool_and(c.castmethod = 'b' OR (c.castmethod = 'f' AND p.provolatile = 'i'))
                                                   FROM pg_catalog.pg_cast c LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc WHERE c.casttarget = types.target)
                 WHEN types.source = types.target THEN true
                 ELSE coalesce((SELECT CASE c.castmethod WHEN 'b' THEN true WHEN 'f' THEN p.provolatile = 'i' ELSE (SELECT immutable FROM io) END
                                  FROM pg_catalog.pg_cast c LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc
                                 WHERE c.castsource = types.source AND c.casttarget = types.target), (SELECT immutable FROM io))
               END, false) AS immutable FROM types`,
        values: [probe.sourceType ?? null, probe.target],
      };
  }
}

export function describeProbe(probe: VolatilityProbe): string {
  switch (probe.kind) {
    case 'never':
      return probe.what;
    case 'function':
      return `${probe.name}(${probe.columnType ?? '...'})`;
    case 'operator':
      return `operator ${probe.name}${probe.leftType ? ` on ${probe.leftType}` : ''}`;
    case 'cast':
      return `cast ${probe.sourceType ?? '...'}::${probe.target}`;
  }
}

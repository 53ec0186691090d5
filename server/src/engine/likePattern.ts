// What a LIKE/ILIKE pattern lets an index do, read from the parse tree (and, for template parameters, from the
// expression the code passes: `ILIKE ${'%' + q + '%'}` is a leading wildcard although the SQL only says `$1`).
//
// - A fixed prefix ('abc%') can use a btree (text_pattern_ops under a non-C collation).
// - A leading wildcard ('%abc', '_bc') cannot; a trigram GIN index can, but only when the pattern holds a run of
//   at least 3 literal characters: pg_trgm extracts no trigram from shorter runs (trgm_op.c, generate_wildcard_trgm
//   skips words shorter than 3 characters), and '%@%' then is a full index scan, no better than the table.

import type { AstNode } from './parse/parse';
import type { TemplateParameter } from './types';

export interface LikePattern {
  shape: 'leading-wildcard' | 'prefix' | 'unknown';
  /** A trigram index can narrow the search: a literal run of 3+ characters, or text only known at run time. */
  trigramUsable: boolean;
}

type Piece = { literal: string } | { parameter: number } | { other: true };

/** `'%' || $1 || '%'`, `concat('%', $1)`, `$1::text`: the pieces in order. */
function piecesOf(node: AstNode, out: Piece[] = []): Piece[] {
  if (!node) return out;
  const literal = node.A_Const?.sval?.sval;
  if (typeof literal === 'string') out.push({ literal });
  else if (node.TypeCast) piecesOf(node.TypeCast.arg, out);
  else if (node.A_Expr && node.A_Expr.name?.[0]?.String?.sval === '||') {
    piecesOf(node.A_Expr.lexpr, out);
    piecesOf(node.A_Expr.rexpr, out);
  } else if (node.FuncCall && node.FuncCall.funcname?.at(-1)?.String?.sval === 'concat') {
    for (const arg of (node.FuncCall.args ?? []) as AstNode[]) piecesOf(arg, out);
  } else if (node.ParamRef?.number !== undefined) out.push({ parameter: node.ParamRef.number });
  else out.push({ other: true });
  return out;
}

/**
 * The code that supplies template parameter `$n`, when it visibly starts with a wildcard: `'%' + q`, `"%" + q`,
 * `` `%${q}%` ``. A variable (`pattern`) says nothing.
 */
function parameterStartsWithWildcard(parameters: readonly TemplateParameter[], number: number): boolean {
  const parameter = parameters.find((p) => p.index === number);
  return parameter !== undefined && /^\s*\(?\s*(['"`])[%_]/.test(parameter.expressionText);
}

/** Longest run of characters that match themselves (backslash escapes count as literal). */
function longestLiteralRun(pattern: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      i++;
      run++;
    } else if (ch === '%' || ch === '_') run = 0;
    else run++;
    longest = Math.max(longest, run);
  }
  return longest;
}

export function likePattern(node: AstNode, parameters: readonly TemplateParameter[] = []): LikePattern {
  const pieces = piecesOf(node);
  const first = pieces[0];
  let shape: LikePattern['shape'] = 'unknown';
  if (first && 'literal' in first) {
    if (first.literal.startsWith('%') || first.literal.startsWith('_')) shape = 'leading-wildcard';
    else if (/^[^%_\\]+/.test(first.literal)) shape = 'prefix';
    // '' || $1: the literal adds nothing, the next piece decides (a parameter says nothing of its start).
    else if (first.literal === '' && pieces[1] && 'parameter' in pieces[1] && parameterStartsWithWildcard(parameters, pieces[1].parameter)) shape = 'leading-wildcard';
  } else if (first && 'parameter' in first && parameterStartsWithWildcard(parameters, first.parameter)) shape = 'leading-wildcard';
  const allLiteral = pieces.every((p) => 'literal' in p);
  const trigramUsable = allLiteral ? longestLiteralRun(pieces.map((p) => ('literal' in p ? p.literal : '')).join('')) >= 3 : true;
  return { shape, trigramUsable };
}

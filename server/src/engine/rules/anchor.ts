// Where in the SQL a finding belongs: plan nodes name relations and aliases, the parse tree knows where
// they were written. These helpers turn one into the other (offsets are UTF-16 into statement.site.text).

import { walkAst, type AstNode, type ParsedStatement } from '../parse/parse';

export interface TextSpan {
  start: number;
  end: number;
}

/** End of an identifier chain written at `start` (`public."Order".x`), so the span covers the name as written. */
function identifierEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    if (text[i] === '"') {
      i++;
      while (i < text.length && !(text[i] === '"' && text[i + 1] !== '"')) i += text[i] === '"' ? 2 : 1;
      i++;
    } else {
      const match = /^[\p{L}\p{N}_$]+/u.exec(text.slice(i, i + 200));
      if (!match) break;
      i += match[0].length;
    }
    if (text[i] === '.' && text[i + 1] !== undefined && text[i + 1] !== '.') i++;
    else break;
  }
  return Math.max(i, start + 1);
}

/**
 * The table reference a plan node is about: a RangeVar whose alias (or name) matches the plan's Alias and whose
 * name matches its Relation Name. Falls back to the first reference to the relation.
 */
export function findRelationReference(statement: ParsedStatement, relationName: string, alias?: string): TextSpan | undefined {
  let exact: TextSpan | undefined;
  let byName: TextSpan | undefined;
  // RangeVars appear both as typed nodes ({ RangeVar: {...} } in FROM) and bare (UpdateStmt.relation), so look at
  // every object that has a relname.
  visitObjects(statement.node, (body) => {
    if (body.relname !== relationName || typeof body.location !== 'number') return;
    const start = statement.offsetOf(body.location);
    const span = { start, end: identifierEnd(statement.site.text, start) };
    byName ??= span;
    const written = body.alias?.aliasname ?? body.relname;
    if (!exact && (alias === undefined || written === alias)) exact = span;
  });
  return exact ?? byName;
}

/** Every plain object in a parse tree, in document order. */
export function visitObjects(node: AstNode, visit: (body: AstNode) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) visitObjects(item, visit);
    return;
  }
  visit(node);
  // for-in, not Object.values: this runs over every parse tree several times, and the arrays added up.
  for (const key in node) {
    const value = node[key];
    if (value !== null && typeof value === 'object') visitObjects(value, visit);
  }
}

/** The span of a node with a `location` (ColumnRef, FuncCall, A_Expr, ...), from its start to the end of its last located descendant. */
export function spanOfNode(statement: ParsedStatement, node: AstNode): TextSpan | undefined {
  let first = Number.POSITIVE_INFINITY;
  let last = -1;
  const consider = (location: unknown) => {
    if (typeof location === 'number' && location >= 0) {
      first = Math.min(first, location);
      last = Math.max(last, location);
    }
  };
  visitObjects(node, (child) => consider(child.location));
  if (last < 0) return undefined;
  const text = statement.site.text;
  const start = statement.offsetOf(first);
  let end = statement.offsetOf(last);
  end = tokenEnd(text, end, statement.end);
  // A call or a parenthesised expression ends at its closing parenthesis.
  let depth = 0;
  for (let i = start; i < end; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
  }
  while (depth > 0 && end < statement.end) {
    if (text[end] === ')') depth--;
    else if (text[end] === '(') depth++;
    end++;
  }
  return { start, end: Math.max(end, start + 1) };
}

/** End of the token starting at `start`: a quoted string, an identifier chain, a number, or an operator. */
function tokenEnd(text: string, start: number, limit: number): number {
  const c = text[start];
  if (c === "'") {
    let i = start + 1;
    while (i < limit) {
      if (text[i] === "'" && text[i + 1] === "'") i += 2;
      else if (text[i] === "'") return i + 1;
      else i++;
    }
    return limit;
  }
  if (c === '$') {
    const param = /^\$\d+/.exec(text.slice(start, start + 12));
    if (param) return start + param[0].length;
  }
  if (c === '"' || /[\p{L}_]/u.test(c ?? '')) return identifierEnd(text, start);
  const number = /^[0-9.]+/.exec(text.slice(start, start + 40));
  if (number) return start + number[0].length;
  return start + 1;
}

/** The WHERE clause of a SELECT, UPDATE or DELETE (top level), if any. */
export function whereClauseOf(statement: ParsedStatement): AstNode | undefined {
  const body = statement.node[statement.kind];
  return body?.whereClause;
}

/** Column names referenced by a node (last field of each ColumnRef). */
export function columnsReferenced(node: AstNode): string[] {
  const names: string[] = [];
  walkAst(node, (type, body) => {
    if (type !== 'ColumnRef') return;
    const fields = body.fields as AstNode[];
    const last = fields[fields.length - 1];
    if (last?.String?.sval) names.push(last.String.sval);
  });
  return names;
}

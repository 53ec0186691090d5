// OFFSET n makes PostgreSQL produce and throw away n rows before the page it returns: page 500 of 20 reads 10,000
// rows, and every later page costs more. No index fixes that; keyset pagination does: remember the sort key of the
// last row shown and ask for the rows after it, which an index on the sort key answers directly whatever the page.

import type { AstNode, ParsedStatement } from '../../parse/parse';
import { spanOfNode } from '../anchor';
import type { Rule } from '../rule';

export const deepOffsetPagination: Rule = {
  meta: {
    id: 'deep-offset-pagination',
    description: 'OFFSET pagination reads and discards every row before the page; deep pages get slower and slower.',
    defaultSeverity: 'info',
    category: 'performance',
    kind: 'statement',
    // A parameter OFFSET is usually a page number times a size: flagged too, since nobody bounds the page number.
    defaultOptions: { minOffset: 1000, flagParameterOffsets: true },
  },
  check(context) {
    const statement = context.statement;
    if (statement.kind !== 'SelectStmt') return;
    const body = statement.node.SelectStmt;
    const offset = body?.limitOffset as AstNode | undefined;
    if (!offset) return;
    const constant = constantNumber(offset);
    const parameter = offset.ParamRef !== undefined || offset.TypeCast?.arg?.ParamRef !== undefined || (constant === undefined && isParameterExpression(offset));
    const minOffset = Number(context.options.minOffset);
    if (constant !== undefined ? constant < minOffset : !(parameter && context.options.flagParameterOffsets === true)) return;
    const span = spanOfNode(statement, offset);
    const text = statement.site.text;
    // Anchor on "OFFSET <n>" when the keyword is right before the value.
    let start = span?.start;
    if (span) {
      const before = /offset\s*$/i.exec(text.slice(Math.max(statement.start, span.start - 20), span.start));
      if (before) start = span.start - before[0].length;
    }
    const rewrite = keysetRewrite(statement);
    const depth = constant !== undefined ? `OFFSET ${constant} reads and discards ${constant.toLocaleString('en-US')} rows before the page` : 'OFFSET with a page-dependent value reads and discards every row before the page';
    context.report({
      message:
        `${depth}: each deeper page costs more, and rows shift between pages when others insert or delete. ` +
        (rewrite
          ? `Keyset pagination reads only the page: ${rewrite.predicate} ORDER BY ${rewrite.orderBy} LIMIT ..., with the last row's values of the previous page.`
          : 'Order by a unique key and paginate by keyset: WHERE key > last seen key ORDER BY key LIMIT n.'),
      start,
      end: span?.end,
      evidence: { offset: constant, parameter, keyset: rewrite?.sql },
      fixes: rewrite ? [{ title: 'Copy keyset pagination query', sql: rewrite.sql, verified: false }] : undefined,
    });
  },
};

function constantNumber(node: AstNode): number | undefined {
  const value = node?.A_Const?.ival?.ival ?? node?.A_Const?.fval?.fval;
  if (value !== undefined) return Number(value);
  if (node?.A_Const && node.A_Const.ival && Object.keys(node.A_Const.ival).length === 0) return 0;
  if (node?.TypeCast) return constantNumber(node.TypeCast.arg);
  return undefined;
}

function isParameterExpression(node: AstNode): boolean {
  let found = false;
  JSON.stringify(node, (key, value) => {
    if (key === 'ParamRef') found = true;
    return value;
  });
  return found;
}

/**
 * The statement without OFFSET and with a row-value comparison on the ORDER BY keys: `(created_at, id) < ($2, $3)`.
 * Only when every key sorts the same way (a row comparison cannot mix directions).
 */
export function keysetRewrite(statement: ParsedStatement): { sql: string; predicate: string; orderBy: string } | undefined {
  const body = statement.node.SelectStmt;
  const sortClause = (body?.sortClause ?? []) as AstNode[];
  if (sortClause.length === 0) return undefined;
  const text = statement.site.text;
  const keys: string[] = [];
  const directions = new Set<boolean>();
  for (const item of sortClause) {
    const span = spanOfNode(statement, item.SortBy?.node);
    if (!span) return undefined;
    keys.push(text.slice(span.start, span.end));
    directions.add(item.SortBy.sortby_dir === 'SORTBY_DESC');
  }
  if (directions.size !== 1) return undefined;
  const descending = [...directions][0];
  let next = statement.parameterCount;
  const placeholders = keys.map(() => `$${++next}`);
  const left = keys.length === 1 ? keys[0] : `(${keys.join(', ')})`;
  const right = keys.length === 1 ? placeholders[0] : `(${placeholders.join(', ')})`;
  const predicate = `WHERE ${left} ${descending ? '<' : '>'} ${right}`;

  // Text edits on the statement: drop OFFSET, add the predicate before ORDER BY.
  const offsetSpan = spanOfNode(statement, body.limitOffset);
  const firstKey = spanOfNode(statement, sortClause[0].SortBy.node);
  if (!offsetSpan || !firstKey) return undefined;
  const orderBy = /order\s+by\s*$/i.exec(text.slice(statement.start, firstKey.start));
  if (!orderBy) return undefined;
  const orderByStart = firstKey.start - orderBy[0].length;
  const offsetKeyword = /\s*offset\s*$/i.exec(text.slice(statement.start, offsetSpan.start));
  let offsetEnd = offsetSpan.end;
  const rows = /^\s+rows?\b/i.exec(text.slice(offsetEnd, offsetEnd + 10));
  if (rows) offsetEnd += rows[0].length;
  const edits: { start: number; end: number; text: string }[] = [
    { start: offsetSpan.start - (offsetKeyword?.[0].length ?? 0), end: offsetEnd, text: '' },
  ];
  const where = body.whereClause as AstNode | undefined;
  if (where) {
    const whereSpan = spanOfNode(statement, where);
    if (!whereSpan) return undefined;
    const condition = `${left} ${descending ? '<' : '>'} ${right}`;
    if (where.BoolExpr?.boolop === 'OR_EXPR') {
      edits.push({ start: whereSpan.start, end: whereSpan.start, text: '(' }, { start: whereSpan.end, end: whereSpan.end, text: `) AND ${condition}` });
    } else edits.push({ start: orderByStart, end: orderByStart, text: `AND ${condition} ` });
  } else edits.push({ start: orderByStart, end: orderByStart, text: `${predicate} ` });
  edits.sort((a, b) => b.start - a.start);
  let sql = text.slice(statement.start, statement.end);
  for (const edit of edits) sql = sql.slice(0, edit.start - statement.start) + edit.text + sql.slice(edit.end - statement.start);
  return { sql: sql.replace(/[ \t]+$/gm, ''), predicate, orderBy: keys.join(', ') + (descending ? ' DESC' : '') };
}

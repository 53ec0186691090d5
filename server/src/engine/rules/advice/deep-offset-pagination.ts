// OFFSET n makes PostgreSQL produce and throw away n rows before the page it returns: page 500 of 20 reads 10,000
// rows, and every later page costs more. No index fixes that; keyset pagination does: remember the sort key of the
// last row shown and ask for the rows after it, which an index on the sort key answers directly whatever the page.

import { findTable, indexesOf, type ColumnFacts, type SchemaFacts, type TableFacts } from '../../db/schemaFacts';
import { walkAst, type AstNode, type ParsedStatement } from '../../parse/parse';
import { quoteIdentifier } from '../../sqlText';
import { spanOfNode } from '../anchor';
import type { Rule } from '../rule';

export const deepOffsetPagination: Rule = {
  meta: {
    id: 'deep-offset-pagination',
    description: 'OFFSET pagination reads and discards every row before the page; deep pages get slower and slower.',
    // A warning from `warningOffset` rows skipped (two million rows per page is an incident, not a style note);
    // shallower constant offsets and page-dependent ones, whose depth nobody knows, are reported as info.
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'statement',
    // A parameter OFFSET is usually a page number times a size: flagged too, since nobody bounds the page number.
    options: {
      minOffset: { type: 'integer', minimum: 0, default: 1000, description: 'Constant offsets below this are not reported.' },
      warningOffset: { type: 'integer', minimum: 0, default: 10000, description: 'Constant offsets from this one up are warnings; smaller ones are infos.' },
      flagParameterOffsets: { type: 'boolean', default: true, description: 'Report OFFSET $n (a parameter) as an info.' },
    },
    fixable: true,
    messages: {
      constantOffset: 'OFFSET {{offset}} reads and discards {{rows}} rows before the page',
      parameterOffset: 'OFFSET with a page-dependent value reads and discards every row before the page',
    },
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
    const rewrite = keysetRewrite(statement, context.schema);
    context.report({
      ...(constant !== undefined ? { messageId: 'constantOffset', data: { offset: constant, rows: constant.toLocaleString('en-US') } } : { messageId: 'parameterOffset' }),
      details: [
        { kind: 'evidence', text: 'Each deeper page costs more, and rows shift between pages when others insert or delete.' },
        {
          kind: 'suggestion',
          text: rewrite
            ? `Keyset pagination reads only the page: ${rewrite.predicate} ORDER BY ${rewrite.orderBy} LIMIT ..., with the last row's values of the previous page (the copyable query below).`
            : 'Order by a unique key and paginate by keyset: WHERE key > last seen key ORDER BY key LIMIT n.',
        },
      ],
      severity: constant !== undefined && constant >= Number(context.options.warningOffset) ? undefined : 'info',
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

/** The single table the SELECT reads (FROM one relation, no join), with the name its columns may be qualified by. */
function singleTable(statement: ParsedStatement, schema: SchemaFacts | undefined): { table: TableFacts; qualifier: string } | undefined {
  const from = (statement.node.SelectStmt?.fromClause ?? []) as AstNode[];
  const relation = from.length === 1 ? from[0].RangeVar : undefined;
  if (!relation || !schema) return undefined;
  const table = findTable(schema, relation.relname, relation.schemaname);
  return table ? { table, qualifier: relation.alias?.aliasname ?? relation.relname } : undefined;
}

/** A plain column of `table` (bare, or qualified by its name or alias), else undefined. */
function columnOfTable(node: AstNode, single: { table: TableFacts; qualifier: string } | undefined): ColumnFacts | undefined {
  const fields = (node?.ColumnRef?.fields ?? []) as AstNode[];
  if (!single || fields.length === 0 || fields.length > 2 || fields.some((f) => typeof f.String?.sval !== 'string')) return undefined;
  if (fields.length === 2 && fields[0].String.sval !== single.qualifier) return undefined;
  return single.table.columns.find((c) => c.name === fields.at(-1)!.String.sval);
}

/**
 * The statement without OFFSET and with a row-value comparison on the ORDER BY keys: `(created_at, id) < ($2, $3)`.
 * Only when every key sorts the same way (a row comparison cannot mix directions). What PREPARE needs (checked in
 * test/advise/emittedSql.test.ts):
 * - the new parameters carry the column's type (`$2::timestamp with time zone`) where the key is a known column;
 * - parameters are renumbered without the ones only OFFSET used (a gap: "could not determine data type of $n");
 * - the sort ends on a unique key: the primary key is appended when the ORDER BY keys hold no unique index, since
 *   paging on a non-unique key skips or repeats the rows that tie at a page boundary.
 */
export function keysetRewrite(statement: ParsedStatement, schema?: SchemaFacts): { sql: string; predicate: string; orderBy: string } | undefined {
  const body = statement.node.SelectStmt;
  const sortClause = (body?.sortClause ?? []) as AstNode[];
  if (sortClause.length === 0) return undefined;
  const text = statement.site.text;
  const single = singleTable(statement, schema);
  const keys: { text: string; type?: string }[] = [];
  const directions = new Set<boolean>();
  const keyColumns = new Set<string>();
  for (const item of sortClause) {
    const span = spanOfNode(statement, item.SortBy?.node);
    if (!span) return undefined;
    const column = columnOfTable(item.SortBy.node, single);
    if (column) keyColumns.add(column.name);
    keys.push({ text: text.slice(span.start, span.end), type: column?.type });
    directions.add(item.SortBy.sortby_dir === 'SORTBY_DESC');
  }
  if (directions.size !== 1) return undefined;
  const descending = [...directions][0];
  // The tiebreaker: the primary key, unless the keys already hold a unique index's columns.
  let tiebreaker: { text: string; type?: string }[] = [];
  if (single && schema) {
    const indexes = indexesOf(schema, single.table).filter((i) => i.unique && i.valid && !i.predicate);
    const unique = indexes.some((i) => i.keys.every((k) => keyColumns.has(k)));
    const primary = indexes.find((i) => i.primary);
    if (!unique && !primary) return undefined;
    if (!unique && primary) {
      const prefix = sortClause.some((item) => (item.SortBy.node?.ColumnRef?.fields ?? []).length === 2) ? `${quoteIdentifier(single.qualifier)}.` : '';
      tiebreaker = primary.keys
        .filter((k) => !keyColumns.has(k))
        .map((k) => ({ text: `${prefix}${quoteIdentifier(k)}`, type: single.table.columns.find((c) => c.name === k)?.type }));
    }
  }
  const allKeys = [...keys, ...tiebreaker];

  // Parameters OFFSET alone used disappear: the others are renumbered densely, the new ones follow.
  const offsetSpan = spanOfNode(statement, body.limitOffset);
  if (!offsetSpan) return undefined;
  const kept: { number: number; start: number; end: number }[] = [];
  walkAst(statement.node, (type, node) => {
    if (type !== 'ParamRef' || typeof node.number !== 'number') return;
    const at = statement.offsetOf(node.location);
    if (at >= offsetSpan.start && at < offsetSpan.end) return;
    kept.push({ number: node.number, start: at, end: at + `$${node.number}`.length });
  });
  const numbers = [...new Set(kept.map((p) => p.number))].sort((a, b) => a - b);
  const renumbered = new Map(numbers.map((n, i) => [n, i + 1]));
  let next = numbers.length;
  const placeholders = allKeys.map((k) => `$${++next}${k.type ? `::${k.type}` : ''}`);
  const left = allKeys.length === 1 ? allKeys[0].text : `(${allKeys.map((k) => k.text).join(', ')})`;
  const right = allKeys.length === 1 ? placeholders[0] : `(${placeholders.join(', ')})`;
  const condition = `${left} ${descending ? '<' : '>'} ${right}`;
  const predicate = `WHERE ${condition}`;

  // Text edits on the statement: drop OFFSET, add the predicate before ORDER BY, the tiebreaker after its last key.
  const firstKey = spanOfNode(statement, sortClause[0].SortBy.node);
  const lastKey = spanOfNode(statement, sortClause.at(-1)!.SortBy.node);
  if (!firstKey || !lastKey) return undefined;
  const orderBy = /order\s+by\s*$/i.exec(text.slice(statement.start, firstKey.start));
  if (!orderBy) return undefined;
  const orderByStart = firstKey.start - orderBy[0].length;
  const direction = /^\s+(asc|desc)\b(\s+nulls\s+(first|last)\b)?/i.exec(text.slice(lastKey.end, statement.end));
  const sortEnd = lastKey.end + (direction?.[0].length ?? 0);
  const offsetKeyword = /\s*offset\s*$/i.exec(text.slice(statement.start, offsetSpan.start));
  let offsetEnd = offsetSpan.end;
  const rows = /^\s+rows?\b/i.exec(text.slice(offsetEnd, offsetEnd + 10));
  if (rows) offsetEnd += rows[0].length;
  const edits: { start: number; end: number; text: string }[] = [{ start: offsetSpan.start - (offsetKeyword?.[0].length ?? 0), end: offsetEnd, text: '' }];
  for (const parameter of kept) {
    const number = renumbered.get(parameter.number)!;
    if (number !== parameter.number) edits.push({ start: parameter.start, end: parameter.end, text: `$${number}` });
  }
  const tiebreakerText = tiebreaker.map((k) => `, ${k.text}${descending ? ' DESC' : ''}`).join('');
  if (tiebreakerText) edits.push({ start: sortEnd, end: sortEnd, text: tiebreakerText });
  const where = body.whereClause as AstNode | undefined;
  if (where) {
    const whereSpan = spanOfNode(statement, where);
    if (!whereSpan) return undefined;
    if (where.BoolExpr?.boolop === 'OR_EXPR') {
      edits.push({ start: whereSpan.start, end: whereSpan.start, text: '(' }, { start: whereSpan.end, end: whereSpan.end, text: `) AND ${condition}` });
    } else edits.push({ start: orderByStart, end: orderByStart, text: `AND ${condition} ` });
  } else edits.push({ start: orderByStart, end: orderByStart, text: `${predicate} ` });
  // Insertions at the same offset keep their order of creation (stable sort, applied from the end).
  edits.sort((a, b) => b.start - a.start);
  let sql = text.slice(statement.start, statement.end);
  for (const edit of edits) sql = sql.slice(0, edit.start - statement.start) + edit.text + sql.slice(edit.end - statement.start);
  // The ORDER BY as the rewritten statement has it, for the message.
  const orderByText = `${text.slice(firstKey.start, sortEnd)}${tiebreakerText}`;
  return { sql: sql.replace(/[ \t]+$/gm, ''), predicate, orderBy: orderByText };
}

// Since PostgreSQL 11, ADD COLUMN with a DEFAULT is instant: the value is stored once as the column's "missing
// value". A VOLATILE default (random(), gen_random_uuid(), clock_timestamp(), nextval(): serial and identity
// columns) needs a value per row, so the whole table and its indexes are rewritten under ACCESS EXCLUSIVE
// (ALTER TABLE, Notes). Before 11 any non-null default rewrites.

import { addColumnRewrite } from '../../locks/lockModel';
import { clauseEnd, tokenAtOrAfter } from '../../locks/tokens';
import type { AstNode } from '../../parse/parse';
import type { Rule } from '../rule';
import { replacingStatementFix } from './lockFixes';
import { alterOfExistingTable, lockEvidence, lockImpact, quoteIdent, relationText, spanAtOffset, statementTokens } from './support';

export const addingColumnWithVolatileDefault: Rule = {
  meta: {
    id: 'adding-column-with-volatile-default',
    description: 'ADD COLUMN whose default is volatile (or serial / identity / stored generated) rewrites the whole table under ACCESS EXCLUSIVE.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      rewritesTable: 'ADD COLUMN {{column}} rewrites {{table}} and its indexes under ACCESS EXCLUSIVE',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    for (const cmd of commands) {
      if (cmd.subtype !== 'AT_AddColumn' || !cmd.def?.ColumnDef) continue;
      const col = cmd.def.ColumnDef;
      const verdict = addColumnRewrite(col, context.serverVersionNum, context.schema?.volatility);
      if (!verdict.rewrite) continue;
      const anchor = spanAtOffset(statement, statement.offsetOf(verdict.location ?? col.location));
      const safe = safeForm(statement, relation, col);
      context.report({
        messageId: 'rewritesTable',
        data: { column: col.colname, table },
        details: [
          { kind: 'evidence', text: `It rewrites because ${verdict.why}; the rewrite holds ${lockImpact(context, 'AccessExclusiveLock', table, relation.schemaname)}.` },
          { kind: 'suggestion', text: 'Add the column without the default, set the default for new rows, and backfill existing rows in batches.' },
        ],
        start: anchor.start,
        end: anchor.end,
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, relation.schemaname), rewrite: true, volatileFunction: verdict.volatileFunction },
        // An edit only where the safe form keeps everything else of the column: no other constraint, no COLLATE, no IF NOT EXISTS.
        fixes: safe
          ? [
              replacingStatementFix(
                statement,
                { title: 'Add the column without a volatile default, then SET DEFAULT (backfill in batches yourself)', sql: safe },
                commands.length === 1 && !cmd.missing_ok && !col.collClause && (col.constraints ?? []).every((c: AstNode) => ['CONSTR_DEFAULT', 'CONSTR_NOTNULL', 'CONSTR_NULL'].includes(c.Constraint?.contype)),
              ),
            ]
          : undefined,
      });
    }
  },
};

/** ADD COLUMN without the default, SET DEFAULT for new rows, a batched backfill, then NOT NULL if it was asked for. */
function safeForm(statement: import('../../parse/parse').ParsedStatement, relation: AstNode, col: AstNode): string | undefined {
  const def = (col.constraints ?? []).map((c: AstNode) => c.Constraint).find((c: AstNode) => c?.contype === 'CONSTR_DEFAULT');
  if (!def?.raw_expr || !col.typeName) return undefined;
  const text = statement.site.text;
  const tokens = statementTokens(statement);
  // The type as written: from the type name to the first constraint keyword.
  const typeStart = tokenAtOrAfter(tokens, statement.offsetOf(col.typeName.location));
  const typeEnd = clauseEnd(tokens, typeStart, ['default', 'not', 'null', 'constraint', 'check', 'references', 'unique', 'primary', 'generated', 'collate']);
  const typeText = text.slice(tokens[typeStart].start, tokens[typeEnd].end);
  const defaultAt = tokenAtOrAfter(tokens, statement.offsetOf(def.location));
  const exprStart = defaultAt + 1;
  if (!tokens[exprStart]) return undefined;
  const exprEnd = clauseEnd(tokens, exprStart, ['not', 'null', 'constraint', 'check', 'references', 'unique', 'primary', 'collate']);
  const exprText = text.slice(tokens[exprStart].start, tokens[exprEnd].end);
  const notNull = (col.constraints ?? []).some((c: AstNode) => c.Constraint?.contype === 'CONSTR_NOTNULL');
  const t = relationText(relation);
  const c = quoteIdent(col.colname);
  const lines = [
    `ALTER TABLE ${t} ADD COLUMN ${c} ${typeText};`,
    `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${exprText};`,
    `-- backfill existing rows in small batches, each in its own transaction, e.g.:`,
    `-- UPDATE ${t} SET ${c} = ${exprText} WHERE ${c} IS NULL AND <primary key range>;`,
  ];
  if (notNull) lines.push(`-- then make it NOT NULL without a long lock (see setting-not-null).`);
  return lines.join('\n');
}

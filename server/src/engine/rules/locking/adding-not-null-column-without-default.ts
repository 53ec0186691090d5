// ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT fills the column with NULL in every existing row, which
// the NOT NULL constraint rejects: the statement fails on any table that has rows (SQLSTATE 23502, "column ...
// contains null values"; proven by test/locks/lockRules.server.test.ts). It only works on an empty table, so a
// migration that passed against an empty development database fails in production. With a constant default the
// column is added instantly (PostgreSQL 11+); a volatile default rewrites the table (adding-column-with-volatile-default).

import { findTable } from '../../db/schemaFacts';
import { tokenizeSql } from '../../locks/tokens';
import type { AstNode } from '../../parse/parse';
import type { Rule } from '../rule';
import { alterOfExistingTable, formatRows, quoteIdent, relationText, spanAtOffset } from './support';

export const addingNotNullColumnWithoutDefault: Rule = {
  meta: {
    id: 'adding-not-null-column-without-default',
    description: 'ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      failsWithRows: 'ADD COLUMN {{column}} ... NOT NULL without a DEFAULT fails: {{table}} has {{rows}} (estimated)',
      failsOnFirstRow: 'ADD COLUMN {{column}} ... NOT NULL without a DEFAULT fails as soon as {{table}} has a row',
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
      const constraints: AstNode[] = (col.constraints ?? []).map((c: AstNode) => c.Constraint).filter(Boolean);
      const notNull = constraints.find((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
      if (!notNull) continue;
      // A default, an identity or a generated expression gives every existing row a value; serial types too.
      if (constraints.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED')) continue;
      const typeName = col.typeName?.names?.at(-1)?.String?.sval?.toLowerCase();
      if (typeName && /^(small|big)?serial[248]?$/.test(typeName)) continue;
      // ADD COLUMN IF NOT EXISTS on a column that exists is a no-op, but pglens cannot know that it exists.
      const facts = context.schema ? findTable(context.schema, table, relation.schemaname) : undefined;
      const rows = facts?.estimatedRows;
      const anchor = spanAtOffset(statement, statement.offsetOf(notNull.location ?? col.location));
      // NOT NULL is two words: the anchor covers both.
      const next = tokenizeSql(statement.site.text, anchor.end, statement.end)[0];
      if (notNull.contype === 'CONSTR_NOTNULL' && next?.type === 'word' && next.value === 'null') anchor.end = next.end;
      else if (notNull.contype === 'CONSTR_PRIMARY' && next?.type === 'word' && next.value === 'key') anchor.end = next.end;
      context.report({
        ...(rows !== undefined && rows > 0
          ? { messageId: 'failsWithRows', data: { column: col.colname, table, rows: formatRows(rows) } }
          : { messageId: 'failsOnFirstRow', data: { column: col.colname, table } }),
        details: [
          { kind: 'evidence', text: `Every existing row would get NULL in ${col.colname} (column "${col.colname}" contains null values).` },
          {
            kind: 'suggestion',
            text: 'Add it with a constant DEFAULT (instant since PostgreSQL 11), or add it nullable, backfill in batches, then set NOT NULL (see setting-not-null).',
          },
        ],
        start: anchor.start,
        end: anchor.end,
        evidence: { table, column: col.colname, ...(rows !== undefined ? { rows } : {}), fails: rows !== undefined && rows > 0 },
        fixes: [
          {
            title: 'Add the column nullable, backfill, then set NOT NULL',
            sql: [
              `ALTER TABLE ${relationText(relation)} ADD COLUMN ${quoteIdent(col.colname)} ${statement.site.text.slice(statement.offsetOf(col.typeName.location), statement.offsetOf(notNull.location)).trim()};`,
              `-- backfill existing rows in small batches, each in its own transaction, then make it NOT NULL (see setting-not-null).`,
            ].join('\n'),
          },
        ],
      });
    }
  },
};

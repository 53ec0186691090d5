// ADD UNIQUE / ADD PRIMARY KEY / ADD EXCLUDE builds the index while holding ACCESS EXCLUSIVE (tablecmds.c
// AlterTableGetLockLevel: "Cases essentially the same as CREATE INDEX", but at ACCESS EXCLUSIVE). Building a
// unique index CONCURRENTLY first and then ADD CONSTRAINT ... USING INDEX holds the lock only for a moment
// (ALTER TABLE, ADD table_constraint_using_index).

import type { AstNode } from '../../parse/parse';
import { clauseEnd, tokenAtOrAfter } from '../../locks/tokens';
import type { Rule } from '../rule';
import { replacingStatementFix } from './lockFixes';
import { runsInTransaction } from './support';
import { alterOfExistingTable, constraintName, lockBlocksDetail, lockEvidence, quoteIdent, relationText, statementTokens } from './support';

export const addingUniqueWithoutIndex: Rule = {
  meta: {
    id: 'adding-unique-without-index',
    description: 'ADD UNIQUE / PRIMARY KEY without USING INDEX builds the index while every read and write waits.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      buildsIndex: 'ADD {{constraint}} builds its index over every row of {{table}} under ACCESS EXCLUSIVE',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    const tokens = statementTokens(statement);
    for (const cmd of commands) {
      const constraints: AstNode[] = [];
      if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint) constraints.push(cmd.def.Constraint);
      if (cmd.subtype === 'AT_AddColumn') for (const k of cmd.def?.ColumnDef?.constraints ?? []) if (k.Constraint) constraints.push(k.Constraint);
      for (const con of constraints) {
        if (!['CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_EXCLUSION'].includes(con.contype) || con.indexname) continue;
        const from = tokenAtOrAfter(tokens, statement.offsetOf(con.location));
        if (!tokens[from]) continue;
        const to = clauseEnd(tokens, from, cmd.subtype === 'AT_AddColumn' ? ['not', 'null', 'default', 'references', 'check', 'constraint'] : []);
        const kind = con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : con.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'EXCLUDE';
        const keys: string[] = con.keys?.length
          ? con.keys.map((k: AstNode) => k.String?.sval)
          : cmd.subtype === 'AT_AddColumn'
            ? [cmd.def.ColumnDef.colname]
            : [];
        const t = relationText(relation);
        const fixes =
          kind !== 'EXCLUDE' && keys.length > 0
            ? (() => {
                const name: string = con.conname ?? (kind === 'PRIMARY KEY' ? constraintName(table, 'pkey') : constraintName(table, ...keys, 'key'));
                const index = name;
                const cols = keys.map(quoteIdent).join(', ');
                const sql =
                  cmd.subtype === 'AT_AddColumn'
                    ? undefined
                    : [
                        `-- in a migration that runs without a transaction:`,
                        `CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(index)} ON ${t} (${cols});`,
                        `-- then (the lock is held only for a moment):`,
                        `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(index)};`,
                      ].join('\n');
                if (!sql) return undefined;
                const fix = { title: `Build the index CONCURRENTLY, then ADD CONSTRAINT ... ${kind} USING INDEX`, sql };
                // As an edit where the two statements are all the constraint was: alone in a .sql file's ALTER TABLE
                // that runs outside a transaction, no NULLS NOT DISTINCT, INCLUDE, WITH, USING INDEX TABLESPACE or
                // DEFERRABLE that the rewrite would drop.
                const plain = commands.length === 1 && !runsInTransaction(context) && !con.nulls_not_distinct && !con.including?.length && !con.options?.length && !con.indexspace && !con.deferrable && !con.initdeferred;
                const rewrite = [`CREATE UNIQUE INDEX CONCURRENTLY ${quoteIdent(index)} ON ${t} (${cols});`, `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} ${kind} USING INDEX ${quoteIdent(index)};`].join('\n');
                return [plain ? { ...replacingStatementFix(statement, { ...fix, sql: rewrite }, true), sql } : fix];
              })()
            : undefined;
        context.report({
          messageId: 'buildsIndex',
          data: { constraint: kind, table },
          details: [
            lockBlocksDetail(context, 'AccessExclusiveLock', table, relation.schemaname),
            { kind: 'suggestion', text: `Build a unique index with CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... ${kind === 'EXCLUDE' ? 'UNIQUE' : kind} USING INDEX.` },
          ],
          start: tokens[from].start,
          end: tokens[to].end,
          evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, relation.schemaname), scan: true },
          fixes,
        });
      }
    }
  },
};

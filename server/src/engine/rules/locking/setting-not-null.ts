// ALTER COLUMN ... SET NOT NULL scans the whole table for NULLs under ACCESS EXCLUSIVE. Since PostgreSQL 12 the
// scan is skipped when a valid CHECK (col IS NOT NULL) constraint proves it (ALTER TABLE, SET/DROP NOT NULL:
// "the table scan is skipped if a valid CHECK constraint exists that proves the column has no nulls"), and
// such a CHECK can be added NOT VALID and validated under SHARE UPDATE EXCLUSIVE, which blocks no reads or writes.

import { locksForStatement } from '../../locks/lockModel';
import { findWords } from '../../locks/tokens';
import type { ParsedStatement } from '../../parse/parse';
import * as path from 'node:path';
import type { RuleContext } from '../rule';
import type { FileEdit, SuggestedFix } from '../../types';
import type { Rule } from '../rule';
import { nextMigration } from './lockFixes';
import { alterOfExistingTable, constraintName, lockBlocksDetail, lockEvidence, lockModelContextFor, quoteIdent, relationText, runsInTransaction, sqlEdit, statementTokens } from './support';

/** Replaces the statement's text, keeping its own terminating semicolon (which lies outside a .sql file's site). */
function replaceStatement(statement: ParsedStatement, sql: string) {
  return sqlEdit(statement, statement.start, statement.end, sql.replace(/;\s*$/, ''));
}

/**
 * In a transaction the ADD's ACCESS EXCLUSIVE would still be held during VALIDATE's scan: the CHECK is added NOT VALID
 * here, and in a migration the VALIDATE, SET NOT NULL and DROP CONSTRAINT are a new migration beside this one.
 */
function laterMigrationFix(context: RuleContext, addCheck: string, followUp: string, edit: FileEdit, column: string): SuggestedFix {
  const sql = `${addCheck}\n-- in a later migration:\n${followUp}`;
  const next = context.migration?.isMigration
    ? nextMigration(context, {
        name: `set_not_null_${column.replace('.', '_')}`,
        comment: `Written by pglens with the NOT VALID CHECK on ${column} in ${path.basename(context.statement.site.file)}: VALIDATE scans under SHARE UPDATE EXCLUSIVE (reads and writes go on), then SET NOT NULL skips its scan.`,
        up: laterStatements(followUp.split('\n')),
      })
    : {};
  if (next.file) return { title: 'Add a NOT VALID CHECK here (validate it and set NOT NULL in a new migration)', sql, edits: [edit], newFile: next.file };
  return { title: `Add a NOT VALID CHECK here; validate it and set NOT NULL in a later migration${next.refused ? ` (${next.refused})` : ''}`, sql, edits: [edit] };
}

/**
 * The later migration's statements: lock_timeout first (SET NOT NULL still takes ACCESS EXCLUSIVE, briefly), and SET
 * NOT NULL marked for pglens, which cannot see across files that the VALIDATE before it proves the column.
 */
function laterStatements([validate, setNotNull, drop]: string[]): string[] {
  const proven = `-- The VALIDATE above proves the column has no NULLs, so SET NOT NULL skips its scan.\n-- pglens-ignore setting-not-null\n${setNotNull}`;
  return ["SET lock_timeout = '5s';", validate, proven, drop];
}

export const settingNotNull: Rule = {
  meta: {
    id: 'setting-not-null',
    description: 'SET NOT NULL without a validated CHECK (col IS NOT NULL) scans the whole table under ACCESS EXCLUSIVE.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      scansTable: 'SET NOT NULL on {{table}}.{{column}} scans the whole table for NULLs under ACCESS EXCLUSIVE',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    if (!commands.some((c) => c.subtype === 'AT_SetNotNull')) return;
    const locks = locksForStatement(statement, lockModelContextFor(context));
    if (!locks.scan) return; // proven by a validated CHECK earlier in the file
    const t = relationText(relation);
    const tokens = statementTokens(statement);
    const modern = (context.serverVersionNum ?? 999999) >= 120000;
    let cursor = 0;
    for (const cmd of commands) {
      if (cmd.subtype !== 'AT_SetNotNull') continue;
      const at = findWords(tokens, ['set', 'not', 'null'], cursor);
      if (at < 0) break;
      cursor = at + 3;
      const column: string = cmd.name;
      const name = quoteIdent(constraintName(table, column, 'not_null'));
      const c = quoteIdent(column);
      const addCheck = `ALTER TABLE ${t} ADD CONSTRAINT ${name} CHECK (${c} IS NOT NULL) NOT VALID;`;
      const followUp = [
        `ALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
        `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`,
        `ALTER TABLE ${t} DROP CONSTRAINT ${name};`,
      ].join('\n');
      const single = commands.length === 1;
      const inTransaction = runsInTransaction(context);
      const fixes = modern && single
        ? [
            inTransaction
              ? laterMigrationFix(context, addCheck, followUp, replaceStatement(statement, addCheck), `${table}.${column}`)
              : {
                  title: 'Use a NOT VALID CHECK, validate it, then SET NOT NULL (no long lock)',
                  sql: `${addCheck}\n${followUp}`,
                  edits: [replaceStatement(statement, `${addCheck}\n${followUp}`)],
                },
          ]
        : undefined;
      context.report({
        messageId: 'scansTable',
        data: { table, column },
        details: [
          lockBlocksDetail(context, 'AccessExclusiveLock', table, relation.schemaname),
          {
            kind: 'suggestion',
            text: modern
              ? `Add CHECK (${column} IS NOT NULL) NOT VALID, VALIDATE it (SHARE UPDATE EXCLUSIVE: reads and writes go on), then SET NOT NULL skips the scan.`
              : 'Before PostgreSQL 12 the scan cannot be avoided; run it when the table is quiet.',
          },
        ],
        start: tokens[at].start,
        end: tokens[at + 2].end,
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, relation.schemaname), scan: true, column },
        fixes,
      });
    }
  },
};

// The quick fixes of lock rules that are more than one edit: NOT VALID with its VALIDATE CONSTRAINT in the next
// transaction (a new migration beside a migration, in its tool's layout), a statement replaced by its safe form,
// and the names such fixes write.

import * as path from 'node:path';
import type { AstNode, ParsedStatement } from '../../parse/parse';
import type { RuleContext } from '../rule';
import type { FileEdit, SuggestedFix } from '../../types';
import { MigrationRefused, migrationTargetBeside, writeStatementMigration, type MigrationFile } from '../../advise/migration';
import { runsInTransaction, sqlEdit } from './support';

/**
 * PostgreSQL's ChooseConstraintName adds 1, 2, ... to a name the table's constraints already use; the foreign keys
 * the schema facts know are the ones pglens can see (a CHECK's name is checked by the prepare in the tests).
 */
export function unusedConstraintName(context: RuleContext, relation: AstNode, name: string): string {
  const taken = new Set((context.schema?.foreignKeys ?? []).filter((fk) => fk.table === relation.relname && (!relation.schemaname || fk.schema === relation.schemaname)).map((fk) => fk.name));
  if (!taken.has(name)) return name;
  for (let n = 1; ; n++) {
    const suffix = String(n);
    const candidate = `${name.slice(0, 63 - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * The fix: NOT VALID on the statement (and the constraint's name when it had none), and the VALIDATE CONSTRAINT in
 * the next transaction. In a migration that is a new migration beside it, in its tool's layout; in a plain .sql file
 * (psql runs each statement in a transaction of its own) the VALIDATE goes right after the statement; inside an open
 * BEGIN, or in SQL embedded in code, the fix says to run it after the commit and gives the SQL.
 */
export function notValidFix(
  context: RuleContext,
  input: { notValid: FileEdit; name?: FileEdit; validate: string; table: string; constraint: string; statementEndsSite: boolean },
): SuggestedFix {
  const { statement } = context;
  const edits = [...(input.name ? [input.name] : []), input.notValid];
  const named = input.name ? `name it ${input.constraint}, ` : '';
  if (context.migration?.isMigration) {
    const next = nextMigration(context, {
      name: `validate_${input.constraint}`,
      comment: `Written by pglens with the NOT VALID of ${input.constraint} in ${path.basename(statement.site.file)}: checks the existing rows of ${input.table} under SHARE UPDATE EXCLUSIVE (reads and writes go on).`,
      up: [input.validate],
    });
    if (next.file) return { title: `Add NOT VALID (${named}VALIDATE CONSTRAINT in a new migration)`, sql: input.validate, edits, newFile: next.file };
    return { title: `Add NOT VALID here (${named}run VALIDATE CONSTRAINT in a later migration${next.refused ? `: ${next.refused}` : ''})`, sql: input.validate, edits };
  }
  if (!runsInTransaction(context) && /\.(sql|psql|pgsql)$/i.test(statement.site.file)) {
    // The VALIDATE goes right before the statement's own semicolon, after a new one.
    const validateHere = `;\n${input.validate.replace(/;$/, '')}`;
    const after = input.statementEndsSite
      ? { ...input.notValid, newText: ` NOT VALID${validateHere}` }
      : input.notValid;
    const more = input.statementEndsSite ? [] : [sqlEdit(statement, statement.end, statement.end, validateHere)];
    return { title: `Add NOT VALID, then VALIDATE CONSTRAINT in its own statement${input.name ? ` (names it ${input.constraint})` : ''}`, sql: input.validate, edits: [...(input.name ? [input.name] : []), after, ...more] };
  }
  return { title: `Add NOT VALID here (${named}run VALIDATE CONSTRAINT after this transaction commits)`, sql: input.validate, edits };
}

/**
 * The migration that runs after the flagged one: beside it, in its tool's layout (advise/migration.ts). `refused` says
 * why there is none when the writer refused (drizzle's journal, a path that is not plain); nothing for a tool pglens
 * writes no migrations for.
 */
export function nextMigration(context: RuleContext, input: { name: string; comment: string; up: string[] }): { file?: MigrationFile; refused?: string } {
  const framework = (context.migration as { framework?: string } | undefined)?.framework;
  const target = migrationTargetBeside(context.statement.site.file, framework);
  if (!target) return {};
  try {
    return { file: writeStatementMigration(target, { name: input.name, comment: [input.comment], up: input.up, down: [] }) };
  } catch (error) {
    if (!(error instanceof MigrationRefused)) throw error;
    return { refused: error.message.replace(/^pglens did not write a migration: /, '') };
  }
}

/**
 * A fix whose SQL replaces the whole statement, as an edit where that is certain: the statement is alone in its ALTER
 * (`single`) and sits in a .sql file (in code, several statements in one query string would run in one implicit
 * transaction). Comment lines of the SQL go first; the statement's own semicolon (outside its site) ends the last one.
 */
export function replacingStatementFix(statement: ParsedStatement, fix: SuggestedFix & { sql: string }, single: boolean): SuggestedFix {
  if (!single || !/\.(sql|psql|pgsql)$/i.test(statement.site.file)) return fix;
  const lines = fix.sql.split('\n');
  const text = [...lines.filter((line) => line.startsWith('--')), ...lines.filter((line) => !line.startsWith('--'))].join('\n').replace(/;\s*$/, '');
  return { ...fix, edits: [sqlEdit(statement, statement.start, statement.end, text)] };
}

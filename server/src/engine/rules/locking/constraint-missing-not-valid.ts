// ADD FOREIGN KEY and ADD CHECK check every existing row while holding their lock: SHARE ROW EXCLUSIVE on both
// tables for a foreign key (writes to both wait), ACCESS EXCLUSIVE for a CHECK (everything waits). With NOT VALID
// the constraint is added at once and enforced for new rows; VALIDATE CONSTRAINT later checks the old rows under
// SHARE UPDATE EXCLUSIVE (plus ROW SHARE on the referenced table), which blocks no reads or writes
// (ALTER TABLE, ADD table_constraint ... NOT VALID / VALIDATE CONSTRAINT).

import type { AstNode } from '../../parse/parse';
import { clauseEnd, tokenAtOrAfter } from '../../locks/tokens';
import { lockDisplayName, describeWhatLockBlocks } from '../../locks/lockModes';
import type { Rule } from '../rule';
import { notValidFix, unusedConstraintName } from './lockFixes';
import { alterOfExistingTable, constraintName, lockBlocksDetail, lockEvidence, quoteIdent, relationText, sqlEdit, statementTokens, tableSize } from './support';
import { walkAst } from '../../parse/parse';

/** The name PostgreSQL gives an unnamed constraint (ChooseConstraintName): <table>_<cols>_fkey, <table>_<col>_check. */
function defaultConstraintName(table: string, con: AstNode): string {
  if (con.contype === 'CONSTR_FOREIGN') {
    const cols = (con.fk_attrs ?? []).map((a: AstNode) => a.String?.sval).filter(Boolean);
    return constraintName(table, ...cols, 'fkey');
  }
  const cols = new Set<string>();
  walkAst(con.raw_expr, (type, body) => {
    if (type === 'ColumnRef') {
      const last = body.fields?.at(-1)?.String?.sval;
      if (last) cols.add(last);
    }
  });
  return cols.size === 1 ? constraintName(table, [...cols][0], 'check') : constraintName(table, 'check');
}

export const constraintMissingNotValid: Rule = {
  meta: {
    id: 'constraint-missing-not-valid',
    description: 'ADD FOREIGN KEY or ADD CHECK without NOT VALID checks every existing row while blocking writes (or everything).',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    fixable: true,
    messages: {
      foreignKey: 'ADD FOREIGN KEY checks every row of {{table}} against {{referenced}} under SHARE ROW EXCLUSIVE on both',
      check: 'ADD CHECK checks every row of {{table}} under ACCESS EXCLUSIVE',
    },
  },
  check(context) {
    const { statement } = context;
    const alter = alterOfExistingTable(context);
    if (!alter) return;
    const { relation, table, commands } = alter;
    const tokens = statementTokens(statement);
    for (const cmd of commands) {
      const con = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      if (!con || con.skip_validation) continue;
      if (con.contype !== 'CONSTR_FOREIGN' && con.contype !== 'CONSTR_CHECK') continue;
      const from = tokenAtOrAfter(tokens, statement.offsetOf(con.location));
      if (!tokens[from]) continue;
      const to = clauseEnd(tokens, from);
      const name: string = con.conname ?? unusedConstraintName(context, relation, defaultConstraintName(table, con));
      const t = relationText(relation);
      const validate = `ALTER TABLE ${t} VALIDATE CONSTRAINT ${quoteIdent(name)};`;
      const suggestion = { kind: 'suggestion' as const, text: 'Add it NOT VALID, then VALIDATE CONSTRAINT separately (SHARE UPDATE EXCLUSIVE: reads and writes go on).' };
      const ref: string = con.pktable?.relname ?? 'the referenced table';
      const size = [tableSize(context.schema, table, relation.schemaname), con.pktable ? tableSize(context.schema, ref, con.pktable.schemaname) : undefined].filter(Boolean);
      const blocks = describeWhatLockBlocks('ShareRowExclusiveLock', `${table} and ${ref}`);
      const text =
        con.contype === 'CONSTR_FOREIGN'
          ? {
              messageId: 'foreignKey',
              data: { table, referenced: ref },
              details: [{ kind: 'evidence' as const, text: `${blocks.charAt(0).toUpperCase()}${blocks.slice(1)}${size.length ? ` (${size.join('; ')})` : ''}.` }, suggestion],
            }
          : { messageId: 'check', data: { table }, details: [lockBlocksDetail(context, 'AccessExclusiveLock', table, relation.schemaname), suggestion] };
      // Without a name in the statement the fix writes one (the name PostgreSQL would choose), so that the VALIDATE
      // it writes names the constraint for certain.
      const nameEdit = con.conname ? '' : `CONSTRAINT ${quoteIdent(name)} `;
      const fix = notValidFix(context, {
        notValid: sqlEdit(statement, tokens[to].end, tokens[to].end, ' NOT VALID'),
        name: nameEdit ? sqlEdit(statement, tokens[from].start, tokens[from].start, nameEdit) : undefined,
        validate,
        table,
        constraint: name,
        statementEndsSite: tokens[to].end === statement.end || statement.site.text.slice(tokens[to].end, statement.end).trim() === '',
      });
      context.report({
        ...text,
        start: tokens[from].start,
        end: tokens[to].end,
        evidence: {
          ...lockEvidence(context, con.contype === 'CONSTR_FOREIGN' ? 'ShareRowExclusiveLock' : 'AccessExclusiveLock', table, relation.schemaname),
          scan: true,
          constraint: name,
        },
        fixes: [fix],
      });
    }
  },
};


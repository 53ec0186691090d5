// DROP TABLE takes ACCESS EXCLUSIVE on the table, and on every table its foreign keys reference (their FK
// triggers are removed); with CASCADE also on every table whose foreign keys reference it (the constraints are
// dropped), and without CASCADE such a reference makes the DROP fail (DROP TABLE reference page; the locks are
// checked against pg_locks by test/locks/lockModel.server.test.ts). And code still deployed that reads or writes
// the table fails from the moment the migration commits.

import type { Rule } from '../rule';
import { locateName, locksForStatement } from '../../locks/lockModel';
import { isNewTable, lockEvidence, lockImpact, lockModelContextFor } from './support';

export const droppingTable: Rule = {
  meta: {
    id: 'dropping-table',
    description: 'DROP TABLE breaks the code that still uses the table, and locks the tables that reference it or that it references.',
    defaultSeverity: 'warning',
    category: 'correctness',
    kind: 'statement',
    messages: {
      dropTable: 'DROP TABLE {{table}} breaks every running query and deployed code that still uses it',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'DropStmt') return;
    const n = statement.node.DropStmt;
    if (n.removeType !== 'OBJECT_TABLE') return;
    const model = locksForStatement(statement, lockModelContextFor(context));
    for (const obj of n.objects ?? []) {
      const parts: string[] = (obj?.List?.items ?? []).map((i: { String?: { sval?: string } }) => i.String?.sval ?? '').filter((p: string) => p !== '');
      if (parts.length === 0) continue;
      const table = parts[parts.length - 1];
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      // A table created earlier in the same file is nobody's yet.
      if (isNewTable(context, table, schema)) continue;
      const others = model.locks.filter((l) => l.table !== table && (l.relationKind ?? 'table') === 'table' && l.reason.startsWith(`DROP TABLE ${table}`));
      const fails = model.notes.find((note) => note.startsWith('Fails unless CASCADE') && note.endsWith(` ${table} by foreign key.`));
      const parts2: string[] = [`It takes ${lockImpact(context, 'AccessExclusiveLock', table, schema)}`];
      if (others.length > 0) parts2.push(`, and ACCESS EXCLUSIVE on ${others.map((o) => `${o.table} (${o.reason.replace(/^DROP TABLE \S+ (CASCADE )?\(|\)$/g, '')})`).join(', ')}: every read and write of ${others.length === 1 ? 'it' : 'them'} waits too`);
      else if (!context.schema?.foreignKeys) parts2.push(', and ACCESS EXCLUSIVE on every table it references by foreign key (connect a database to name them)');
      parts2.push('.');
      if (fails) parts2.push(` ${fails.replace('Fails unless CASCADE:', 'It fails unless CASCADE:')}`);
      const at = locateName(statement, parts);
      context.report({
        messageId: 'dropTable',
        data: { table },
        details: [
          { kind: 'suggestion', text: 'Deploy code that no longer uses it first.' },
          { kind: 'evidence', text: parts2.join('') },
        ],
        start: at,
        end: at === undefined ? undefined : at + statement.site.text.slice(at).search(/[^A-Za-z0-9_$"]|$/),
        evidence: { ...lockEvidence(context, 'AccessExclusiveLock', table, schema), alsoLocked: others.map((o) => o.table), failsWithoutCascade: fails !== undefined },
      });
    }
  },
};

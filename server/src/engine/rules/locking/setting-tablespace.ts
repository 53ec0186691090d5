// ALTER TABLE / INDEX / MATERIALIZED VIEW ... SET TABLESPACE copies every file of the relation to the new
// tablespace while holding ACCESS EXCLUSIVE on it (ALTER TABLE reference page, SET TABLESPACE: "This form changes
// the table's tablespace to the specified tablespace and moves the data file(s) associated with the table to the
// new tablespace"; the lock is checked against pg_locks by test/locks/lockModel.server.test.ts): every read and
// write waits for the copy, which takes as long as the relation is large.

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { historyOf, isNewTable, lockEvidence, lockImpact, relationNameSpan, statementTokens } from './support';

export const settingTablespace: Rule = {
  meta: {
    id: 'setting-tablespace',
    description: 'SET TABLESPACE copies the whole table or index while blocking every read and write of it.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      moveAll: 'ALL IN TABLESPACE ... SET TABLESPACE copies every relation of the tablespace under ACCESS EXCLUSIVE',
      copiesTo: 'SET TABLESPACE copies the whole {{relationKind}} {{relation}} under ACCESS EXCLUSIVE to {{tablespace}}',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind === 'AlterTableMoveAllStmt') {
      const tokens = statementTokens(statement);
      const at = findWords(tokens, ['set', 'tablespace']);
      context.report({
        messageId: 'moveAll',
        details: [{ kind: 'evidence', text: 'Every read and write of each relation waits for its copy.' }],
        start: at >= 0 ? tokens[at].start : undefined,
        end: at >= 0 ? tokens[at + 1].end : undefined,
        evidence: { lockMode: 'AccessExclusiveLock', rewrite: true },
      });
      return;
    }
    if (statement.kind !== 'AlterTableStmt') return;
    const n = statement.node.AlterTableStmt;
    const relation = n.relation;
    if (!relation) return;
    const isIndex = n.objtype === 'OBJECT_INDEX';
    // Relations created earlier in the same file are empty and unused.
    if (isIndex ? historyOf(context).createdIndexes.has(relation.relname) : isNewTable(context, relation.relname, relation.schemaname)) return;
    const cmd = ((n.cmds ?? []) as { AlterTableCmd?: { subtype?: string; name?: string } }[]).map((c) => c.AlterTableCmd).find((c) => c?.subtype === 'AT_SetTableSpace');
    if (!cmd) return;
    const tokens = statementTokens(statement);
    const at = findWords(tokens, ['set', 'tablespace']);
    const name = relationNameSpan(statement, relation);
    const what = isIndex ? 'index' : n.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
    const impact = isIndex
      ? `ACCESS EXCLUSIVE on the index ${relation.relname}: every query that would use it waits`
      : lockImpact(context, 'AccessExclusiveLock', relation.relname, relation.schemaname);
    context.report({
      messageId: 'copiesTo',
      data: { relationKind: what, relation: relation.relname, tablespace: cmd.name },
      details: [
        { kind: 'evidence', text: `It holds ${impact}, for as long as the copy takes.` },
        { kind: 'suggestion', text: 'Move it in a maintenance window, or build a copy there and swap (pg_repack --tablespace).' },
      ],
      start: at >= 0 ? tokens[at].start : name?.start,
      end: at >= 0 ? tokens[at + 1].end : name?.end,
      evidence: { ...(isIndex ? { lockMode: 'AccessExclusiveLock', index: relation.relname } : lockEvidence(context, 'AccessExclusiveLock', relation.relname, relation.schemaname)), rewrite: true, tablespace: cmd.name },
    });
  },
};

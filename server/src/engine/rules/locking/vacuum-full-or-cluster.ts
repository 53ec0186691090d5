// VACUUM FULL and CLUSTER rewrite the whole table into a new file under ACCESS EXCLUSIVE (VACUUM: "VACUUM FULL
// ... requires an ACCESS EXCLUSIVE lock"; CLUSTER: "When a table is being clustered, an ACCESS EXCLUSIVE lock is
// acquired on it"). Tools such as pg_repack or pg_squeeze do the same with only brief locks.

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { lockBlocksDetail, lockEvidence, relationNameSpan, statementTokens } from './support';

export const vacuumFullOrCluster: Rule = {
  meta: {
    id: 'vacuum-full-or-cluster',
    description: 'VACUUM FULL and CLUSTER rewrite the table while every read and write waits.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      vacuumFull: 'VACUUM FULL rewrites {{table}} into a new file under ACCESS EXCLUSIVE',
      vacuumFullDatabase: 'VACUUM FULL rewrites every table of the database in turn, each under ACCESS EXCLUSIVE',
      cluster: 'CLUSTER rewrites {{table}} in index order under ACCESS EXCLUSIVE',
      clusterAll: 'CLUSTER rewrites every previously clustered table in turn, each under ACCESS EXCLUSIVE',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'VacuumStmt' && statement.kind !== 'ClusterStmt') return;
    const tokens = statementTokens(statement);
    if (statement.kind === 'VacuumStmt') {
      const n = statement.node.VacuumStmt;
      if (n.is_vacuumcmd !== true) return;
      const full = (n.options ?? []).some((o: { DefElem?: { defname?: string } }) => o.DefElem?.defname === 'full');
      if (!full) return;
      const rels = (n.rels ?? []).map((r: { VacuumRelation?: { relation?: { relname: string; schemaname?: string } } }) => r.VacuumRelation?.relation).filter(Boolean);
      const at = findWords(tokens, ['full']);
      const anchor = at >= 0 ? tokens[at] : tokens[0];
      context.report({
        ...(rels.length
          ? { messageId: 'vacuumFull', data: { table: rels.map((r: { relname: string }) => r.relname).join(', ') } }
          : { messageId: 'vacuumFullDatabase' }),
        details: [
          ...(rels.length
            ? rels.map((r: { relname: string; schemaname?: string }) => lockBlocksDetail(context, 'AccessExclusiveLock', r.relname, r.schemaname))
            : [{ kind: 'evidence' as const, text: 'Each table blocks every read and write while it is rewritten.' }]),
          { kind: 'suggestion', text: 'Plain VACUUM does not block reads or writes; to shrink a bloated table online use pg_repack or pg_squeeze.' },
        ],
        start: anchor.start,
        end: anchor.end,
        evidence: rels.length ? { ...lockEvidence(context, 'AccessExclusiveLock', rels[0].relname, rels[0].schemaname), rewrite: true } : { lockMode: 'AccessExclusiveLock', rewrite: true },
      });
    } else if (statement.kind === 'ClusterStmt') {
      const n = statement.node.ClusterStmt;
      const span = n.relation ? relationNameSpan(statement, n.relation) : undefined;
      const anchor = span ?? tokens[0];
      context.report({
        ...(n.relation ? { messageId: 'cluster', data: { table: n.relation.relname } } : { messageId: 'clusterAll' }),
        details: [
          n.relation
            ? lockBlocksDetail(context, 'AccessExclusiveLock', n.relation.relname, n.relation.schemaname)
            : { kind: 'evidence', text: 'Each table blocks every read and write while it is rewritten.' },
          { kind: 'suggestion', text: 'To reorder a table online use pg_repack.' },
        ],
        start: anchor.start,
        end: anchor.end,
        evidence: n.relation ? { ...lockEvidence(context, 'AccessExclusiveLock', n.relation.relname, n.relation.schemaname), rewrite: true } : { lockMode: 'AccessExclusiveLock', rewrite: true },
      });
    }
  },
};

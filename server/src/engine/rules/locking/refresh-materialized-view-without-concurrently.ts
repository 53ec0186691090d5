// REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE on the view for the whole refresh, so every query reading it
// waits. With CONCURRENTLY it takes EXCLUSIVE, which still lets plain SELECTs read the old contents (REFRESH
// MATERIALIZED VIEW reference page; it needs a unique index on the view).

import type { Rule } from '../rule';
import { findWords } from '../../locks/tokens';
import { isNewTable, lockBlocksDetail, lockEvidence, relationNameSpan, sqlEdit, statementTokens } from './support';

export const refreshMaterializedViewWithoutConcurrently: Rule = {
  meta: {
    id: 'refresh-materialized-view-without-concurrently',
    description: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view until the refresh ends.',
    defaultSeverity: 'warning',
    category: 'locking',
    kind: 'statement',
    messages: {
      refresh: 'REFRESH MATERIALIZED VIEW takes ACCESS EXCLUSIVE on {{view}} for the whole time its query runs',
    },
  },
  check(context) {
    const { statement } = context;
    if (statement.kind !== 'RefreshMatViewStmt') return;
    const n = statement.node.RefreshMatViewStmt;
    // WITH NO DATA cannot be concurrent, and a view created in the same file has no readers yet.
    if (n.concurrent || n.skipData || !n.relation) return;
    const view: string = n.relation.relname;
    if (isNewTable(context, view, n.relation.schemaname)) return;
    const span = relationNameSpan(statement, n.relation);
    const tokens = statementTokens(statement);
    const at = findWords(tokens, ['materialized', 'view']);
    const fixes =
      at >= 0
        ? [
            {
              title: 'Use REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)',
              sql: `${statement.site.text.slice(statement.start, tokens[at + 1].end)} CONCURRENTLY${statement.site.text.slice(tokens[at + 1].end, statement.end)}`,
              edits: [sqlEdit(statement, tokens[at + 1].end, tokens[at + 1].end, ' CONCURRENTLY')],
            },
          ]
        : undefined;
    context.report({
      messageId: 'refresh',
      data: { view },
      details: [
        lockBlocksDetail(context, 'AccessExclusiveLock', view, n.relation.schemaname),
        { kind: 'suggestion', text: 'With CONCURRENTLY (and a unique index on the view) readers keep seeing the old rows while it refreshes.' },
      ],
      start: span?.start,
      end: span?.end,
      evidence: lockEvidence(context, 'AccessExclusiveLock', view, n.relation.schemaname),
      fixes,
    });
  },
};

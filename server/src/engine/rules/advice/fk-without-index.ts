// DELETE (or an UPDATE of the key) on a referenced table makes PostgreSQL check every referencing table for rows that
// still point at each changed row. The check is a query on the child (`SELECT 1 FROM ONLY child WHERE fk = $1 FOR KEY
// SHARE`, ri_triggers.c) run once per row from a trigger, so plain EXPLAIN never shows it: without an index on the
// child's column, every deleted account reads all of invoices.

import { findTable, indexesOf, type ForeignKeyFacts, type SchemaFacts, type TableFacts } from '../../db/schemaFacts';
import type { AstNode, ParsedStatement } from '../../parse/parse';
import { formatCount } from '../../plan/model';
import { findRelationReference } from '../anchor';
import type { Rule } from '../rule';
import { quoteIdentifier, quoteQualifiedName } from '../../sqlText';

export interface UnindexedForeignKey {
  foreignKey: ForeignKeyFacts;
  child: TableFacts;
  parent: TableFacts;
  operation: 'DELETE' | 'UPDATE';
}

/** Foreign keys that a DELETE or key UPDATE of this statement checks, whose child column has no index. */
export function unindexedForeignKeysFor(statement: ParsedStatement, schema: SchemaFacts | undefined, minRows = 10000): UnindexedForeignKey[] {
  if (!schema?.foreignKeys) return [];
  const body: AstNode = statement.node[statement.kind];
  if (statement.kind !== 'DeleteStmt' && statement.kind !== 'UpdateStmt') return [];
  const relation = body?.relation;
  if (!relation?.relname) return [];
  const parent = findTable(schema, relation.relname, relation.schemaname);
  if (!parent) return [];
  const operation = statement.kind === 'DeleteStmt' ? 'DELETE' : 'UPDATE';
  const updated = new Set<string>(
    operation === 'UPDATE' ? ((body.targetList ?? []) as AstNode[]).map((t) => t.ResTarget?.name as string).filter(Boolean) : [],
  );
  const found: UnindexedForeignKey[] = [];
  for (const foreignKey of schema.foreignKeys) {
    if (foreignKey.referencedTable !== parent.name || foreignKey.referencedSchema !== parent.schema) continue;
    if (operation === 'UPDATE' && !foreignKey.referencedColumns.some((c) => updated.has(c))) continue;
    const child = findTable(schema, foreignKey.table, foreignKey.schema);
    if (!child || child.estimatedRows < minRows) continue;
    if (hasLeadingIndex(schema, child, foreignKey.columns)) continue;
    found.push({ foreignKey, child, parent, operation });
  }
  return found;
}

/** An index whose leading keys are exactly the foreign key's columns (in any order) serves the check. */
function hasLeadingIndex(schema: SchemaFacts, table: TableFacts, columns: string[]): boolean {
  return indexesOf(schema, table).some((index) => {
    if (!index.valid || index.predicate || (index.method !== 'btree' && index.method !== 'hash')) return false;
    const leading = index.keys.slice(0, columns.length).map((k) => k.replace(/"/g, ''));
    return columns.every((c) => leading.includes(c));
  });
}

export const fkWithoutIndex: Rule = {
  meta: {
    id: 'fk-without-index',
    description: 'DELETE or a key UPDATE on a referenced table checks a large child table through a foreign key that has no index.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'statement',
    options: {
      minRows: { type: 'integer', minimum: 0, default: 10000, description: 'Referencing tables with fewer estimated rows are not reported.' },
    },
    fixable: true,
    asksAdvisor: true,
    messages: {
      deleteChecksChild: 'Each row deleted from {{parent}} reads all ~{{rows}} rows of {{child}}: {{child}}.{{columns}} has no index',
      keyUpdateChecksChild: 'Each change of {{parent}}.{{key}} reads all ~{{rows}} rows of {{child}}: {{child}}.{{columns}} has no index',
    },
  },
  check(context) {
    const found = unindexedForeignKeysFor(context.statement, context.schema, Number(context.options.minRows));
    if (found.length === 0) return;
    const body = context.statement.node[context.statement.kind];
    const span = findRelationReference(context.statement, body.relation.relname, body.relation.alias?.aliasname);
    for (const { foreignKey, child, parent, operation } of found) {
      const columns = foreignKey.columns.join(', ');
      const createIndex = `CREATE INDEX ON ${quoteQualifiedName(child.schema, child.name, 'public')} (${foreignKey.columns.map(quoteIdentifier).join(', ')})`;
      context.report({
        messageId: operation === 'DELETE' ? 'deleteChecksChild' : 'keyUpdateChecksChild',
        data: { parent: parent.name, key: foreignKey.referencedColumns.join(', '), rows: formatCount(child.estimatedRows), child: child.name, columns },
        details: [
          { kind: 'evidence', text: `PostgreSQL looks for rows of ${child.name} that still reference it (foreign key ${foreignKey.name}) in a trigger, so EXPLAIN does not show it.` },
          { kind: 'suggestion', text: `Index the referencing column: ${createIndex}.` },
        ],
        start: span?.start,
        end: span?.end,
        evidence: {
          table: child.name,
          childTable: child.name,
          childColumns: foreignKey.columns,
          childRows: child.estimatedRows,
          parentTable: parent.name,
          constraint: foreignKey.name,
          operation,
        },
        fixes: [{ title: `Copy CREATE INDEX for ${child.name} (${columns})`, sql: `${createIndex.replace(/^CREATE INDEX/, 'CREATE INDEX CONCURRENTLY')};`, verified: false }],
      });
    }
  },
};

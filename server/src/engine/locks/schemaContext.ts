// The lock model's questions answered from a connected database's schema facts: which table an index belongs to,
// a column's current type, the foreign keys a table has and those that reference it, and function volatility.
// One place for the lock rules (rules/locking/support.ts) and the lock report (report.ts).

import { findTable, type SchemaFacts } from '../db/schemaFacts';
import type { LockModelContext } from './lockModel';

/** Named like people write it: the schema only when it is not the default one. */
function named(table: string, schema: string): { table: string; schema?: string } {
  return { table, ...(schema !== 'public' ? { schema } : {}) };
}

export function lockContextFromSchemaFacts(schema: SchemaFacts | undefined, serverVersionNum?: number): LockModelContext {
  if (!schema) return { serverVersionNum };
  const fks = schema.foreignKeys;
  const owner = (table: string, schemaName?: string) => findTable(schema, table, schemaName);
  return {
    serverVersionNum,
    indexTable(index, schemaName) {
      const found = schema.indexes.find((i) => i.name === index && (!schemaName || i.schema === schemaName));
      return found ? named(found.table, found.schema) : undefined;
    },
    columnType: (table, column, schemaName) => owner(table, schemaName)?.columns.find((c) => c.name === column)?.type,
    ...(fks
      ? {
          foreignKeyTarget(constraint: string, table: string, schemaName?: string) {
            const t = owner(table, schemaName);
            const fk = t && fks.find((f) => f.name === constraint && f.table === t.name && f.schema === t.schema);
            return fk ? named(fk.referencedTable, fk.referencedSchema) : undefined;
          },
          referencingTables(table: string, schemaName?: string) {
            const t = owner(table, schemaName);
            return t ? fks.filter((f) => f.referencedTable === t.name && f.referencedSchema === t.schema).map((f) => ({ ...named(f.table, f.schema), constraint: f.name })) : [];
          },
          referencedTables(table: string, schemaName?: string) {
            const t = owner(table, schemaName);
            return t ? fks.filter((f) => f.table === t.name && f.schema === t.schema).map((f) => ({ ...named(f.referencedTable, f.referencedSchema), constraint: f.name })) : [];
          },
        }
      : {}),
    catalogVolatility: schema.volatility,
  };
}

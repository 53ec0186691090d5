// `pglens check --baseline FILE --changed-since REF`: which files a pull request can have changed the plans of.
// A file git lists as changed, and every file whose baseline statements read a relation (or use an index) that a
// changed schema file (a migration, a schema.sql) names in its DDL: a migration that drops an index changes the
// plan of a query in a file nobody touched. Everything else keeps its baseline entry. A change of pglens.json (the
// embedded database's volumes, rule options) or of the baseline file itself re-checks everything.

import * as path from 'node:path';
import { readWorkspaceTextFile } from '../files';
import { findSqlInFile } from '../find/index';
import { locksForStatement } from '../locks/lockModel';
import { loadParser, parseSite } from '../parse/parse';
import type { BaselineFile } from './model';

/** DML and session statements: they change no schema, so they move no other statement's plan. */
const NOT_DDL = /^(Select|Insert|Update|Delete|Merge|Transaction|VariableSet|VariableShow|Explain|Copy)Stmt$/;

export interface RecheckScope {
  files: string[];
  /** Why the scope is everything (pglens.json changed), for --verbose. */
  everything?: string;
  /** Relations and indexes changed schema files name, lower case. */
  schemaNames: string[];
}

export async function filesToRecheck(
  files: string[],
  baseline: BaselineFile,
  changed: Set<string>,
  options: { root: string; baselineFile: string; maxBytes: number },
): Promise<RecheckScope> {
  const configChanged = [...changed].find((file) => /(^|[\\/])pglens\.jsonc?$/.test(file) || file === options.baselineFile);
  if (configChanged) return { files, everything: `${path.basename(configChanged)} changed`, schemaNames: [] };
  const names = new Set<string>();
  // Before any analysis of the run: with a configured database nothing has loaded the parser yet.
  await loadParser();
  for (const file of files) {
    if (!changed.has(file) || !/\.sql$/i.test(file)) continue;
    const read = readWorkspaceTextFile(file, { root: options.root, maxBytes: options.maxBytes });
    if (!read.ok) continue;
    for (const site of findSqlInFile(file, read.text).sites) {
      for (const statement of parseSite(site).statements) {
        if (NOT_DDL.test(statement.kind)) continue;
        // DROP INDEX names the index: without a database to map it to its table, the name itself is matched.
        for (const lock of locksForStatement(statement).locks) names.add(lock.table.toLowerCase());
      }
    }
  }
  const touched = new Set<string>();
  if (names.size > 0) {
    for (const statement of baseline.statements) {
      const used = [...(statement.plan?.scans ?? []).flatMap((scan) => [scan.relation, scan.index ?? '']), ...(statement.locks ?? []).map((lock) => lock.table)];
      if (used.some((name) => names.has(name.toLowerCase()))) touched.add(path.resolve(options.root, statement.file));
    }
  }
  return { files: files.filter((file) => changed.has(file) || touched.has(file)), schemaNames: [...names].sort() };
}

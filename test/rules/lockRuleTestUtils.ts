// Runs one lock rule over SQL text the way the engine does (one site per statement of a .sql file, statements
// in order with the earlier ones as previousStatements) and returns what it reported, with the exact file text
// under each anchor, so tests read as: the SQL, the message, the anchor, the fix.

import { findSqlInSqlFile, mapSqlRangeToFile } from '../../server/src/engine/find/index';
import { loadParser, parseSite, type ParsedStatement } from '../../server/src/engine/parse/parse';
import type { SchemaFacts, TableFacts } from '../../server/src/engine/db/schemaFacts';
import { ruleDefaultOptions, type MigrationContext, type Rule, type RuleOptionValue, type RuleReport } from '../../server/src/engine/rules/rule';
import type { FileEdit, SuggestedFix } from '../../server/src/engine/types';
import { textOfReport } from '../../server/src/engine/findingText';

export interface LockRuleRun {
  /** The file text under the report's range. */
  anchor: string;
  headline: string;
  /** The headline and the details as one text. */
  message: string;
  statement: string;
  evidence?: Record<string, unknown>;
  fixes?: SuggestedFix[];
  report: RuleReport;
}

export interface LockRuleOptions {
  file?: string;
  migration?: MigrationContext;
  serverVersionNum?: number;
  schema?: SchemaFacts;
  options?: Record<string, RuleOptionValue>;
}

/** A migration wrapped in a transaction, the default of most frameworks. */
export const MIGRATION: MigrationContext = { isMigration: true, inTransaction: true };
export const MIGRATION_NO_TRANSACTION: MigrationContext = { isMigration: true, inTransaction: false };

export async function runLockRule(rule: Rule, text: string, options: LockRuleOptions = {}): Promise<LockRuleRun[]> {
  await loadParser();
  const file = options.file ?? 'm.sql';
  const previousStatements: ParsedStatement[] = [];
  const runs: LockRuleRun[] = [];
  for (const site of findSqlInSqlFile(file, text)) {
    const parsed = parseSite(site);
    if (parsed.error) throw new Error(`test SQL does not parse: ${parsed.error.message}\n${site.text}`);
    for (const statement of parsed.statements) {
      const reports: RuleReport[] = [];
      rule.check({
        statement,
        schema: options.schema,
        serverVersionNum: options.serverVersionNum,
        migration: options.migration,
        previousStatements: [...previousStatements],
        options: { ...ruleDefaultOptions(rule.meta), ...(options.options ?? {}) },
        report: (r) => reports.push(r),
      });
      for (const report of reports) {
        const range = mapSqlRangeToFile(site, report.start ?? statement.start, report.end ?? statement.end);
        runs.push({ anchor: text.slice(range.start, range.end), ...textOfReport(report, rule.meta), statement: statement.text, evidence: report.evidence, fixes: report.fixes, report });
      }
      previousStatements.push(statement);
    }
  }
  return runs;
}

/** Applies a fix's edits to the file text (edits must not overlap). */
export function applyEdits(text: string, edits: FileEdit[] | undefined): string {
  let out = text;
  for (const e of [...(edits ?? [])].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Schema facts with just table sizes (and optional columns), as a connected database would provide. */
export function schemaWith(tables: { name: string; schema?: string; rows: number; bytes: number; columns?: Record<string, string> }[]): SchemaFacts {
  const map = new Map<string, TableFacts>();
  for (const t of tables) {
    const facts: TableFacts = {
      schema: t.schema ?? 'public',
      name: t.name,
      estimatedRows: t.rows,
      totalBytes: t.bytes,
      columns: Object.entries(t.columns ?? {}).map(([name, type]) => ({ name, type, notNull: false })),
    };
    map.set(`${facts.schema}.${t.name}`, facts);
    map.set(t.name, facts);
  }
  return { tables: map, indexes: [], fingerprint: 'test' };
}

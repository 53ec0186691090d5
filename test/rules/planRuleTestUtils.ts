// Runs one plan rule on SQL against the fixture database (a real PostgreSQL from the test harness): parse,
// EXPLAIN, schema facts, rule. Returns what the rule reported with the SQL text each report is anchored on.

import { after } from 'node:test';
import { getSharedTestDatabase } from '../harness/postgres';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { explainStatement } from '../../server/src/engine/db/explain';
import { readSchemaFacts, type SchemaFacts } from '../../server/src/engine/db/schemaFacts';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import type { ExplainedPlan } from '../../server/src/engine/plan/model';
import { ruleDefaultOptions, type Rule, type RuleOptionValue, type RuleReport } from '../../server/src/engine/rules/rule';
import type { SqlSite } from '../../server/src/engine/types';
import { textOfReport } from '../../server/src/engine/findingText';

let database: Promise<{ client: DatabaseClient; schema: SchemaFacts }> | undefined;

// Registered at load time so it belongs to the file's root test: it runs once, after every test of the file.
after(async () => {
  const opened = await database;
  database = undefined;
  await opened?.client.close();
});

/** The fixture database, connected once per test file and closed when the file's tests end. */
export function fixtureDatabase(): Promise<{ client: DatabaseClient; schema: SchemaFacts }> {
  if (!database) {
    database = (async () => {
      const shared = await getSharedTestDatabase();
      const client = await connectPostgres(shared.url);
      const schema = await readSchemaFacts(client);
      return { client, schema };
    })();
  }
  return database;
}

export function sqlSite(text: string, file = 'query.sql'): SqlSite {
  return {
    file,
    origin: 'sql-file',
    text,
    segments: [{ sqlStart: 0, fileStart: 0, length: text.length }],
    parameters: [],
    parameterCount: 0,
    fileStart: 0,
    fileEnd: text.length,
  };
}

export interface CheckedReport extends RuleReport {
  headline: string;
  /** The headline and the details as one text. */
  message: string;
  /** The SQL text under the report's range. */
  anchoredText: string;
}

export async function checkPlanRule(
  rule: Rule,
  sql: string,
  options: Record<string, RuleOptionValue> = {},
  /** The real plan as the rule should see it, e.g. marked as planned on generated rows. */
  adjustPlan: (plan: ExplainedPlan) => ExplainedPlan = (plan) => plan,
): Promise<{ reports: CheckedReport[]; plan: ExplainedPlan }> {
  await loadParser();
  const { client, schema } = await fixtureDatabase();
  const parsed = parseSite(sqlSite(sql));
  if (parsed.error) throw new Error(`fixture SQL does not parse: ${parsed.error.message}`);
  if (parsed.statements.length !== 1) throw new Error(`expected one statement, got ${parsed.statements.length}`);
  const statement = parsed.statements[0];
  const plan = adjustPlan(await explainStatement(client, statement, { statementTimeoutMs: 5000, lockTimeoutMs: 1000 }));
  const reports: CheckedReport[] = [];
  rule.check({
    statement,
    plan,
    schema,
    serverVersionNum: client.info.serverVersionNum,
    previousStatements: [],
    options: { ...ruleDefaultOptions(rule.meta), ...options },
    report: (report) =>
      reports.push({ ...report, ...textOfReport(report, rule.meta), anchoredText: sql.slice(report.start ?? statement.start, report.end ?? statement.end) }),
  });
  return { reports, plan };
}

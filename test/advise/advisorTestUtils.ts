// Shared set-up for the advisor tests: the fixture database (with hypopg: pglens_test; without: pglens_nohypo),
// statements parsed from SQL text, and the advisor's settings.

import { after } from 'node:test';
import { Client } from 'pg';
import { getSharedTestDatabase } from '../harness/postgres';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { readSchemaFacts, type SchemaFacts } from '../../server/src/engine/db/schemaFacts';
import { loadParser, parseSite, type ParsedStatement } from '../../server/src/engine/parse/parse';
import { adviseStatement, type AdvisorSettings, type StatementAdvice } from '../../server/src/engine/advise/index';
import { sqlSite } from '../rules/planRuleTestUtils';

export interface Connected {
  client: DatabaseClient;
  schema: SchemaFacts;
  url: string;
}

const opened = new Map<string, Promise<Connected>>();

/**
 * One connection pool per database per test file. `maxConnections: 1` makes every session the same backend, so a
 * test can ask that backend afterwards whether hypothetical indexes were left behind.
 */
export function connect(which: 'hypopg' | 'nohypo'): Promise<Connected> {
  let connected = opened.get(which);
  if (!connected) {
    connected = (async () => {
      const shared = await getSharedTestDatabase();
      const url = which === 'hypopg' ? shared.url : shared.nohypoUrl;
      const client = await connectPostgres(url, { maxConnections: 1 });
      const schema = await readSchemaFacts(client);
      return { client, schema, url };
    })();
    opened.set(which, connected);
    if (opened.size === 1) {
      after(async () => {
        for (const [key, value] of opened) {
          opened.delete(key);
          await (await value).client.close();
        }
      });
    }
  }
  return connected;
}

export async function parseOne(sql: string): Promise<ParsedStatement> {
  await loadParser();
  const parsed = parseSite(sqlSite(sql));
  if (parsed.error || parsed.statements.length !== 1) throw new Error(`expected one statement: ${parsed.error?.message ?? sql}`);
  return parsed.statements[0];
}

export function settings(overrides: Partial<AdvisorSettings> = {}): AdvisorSettings {
  return { indexTrials: false, maxTrialTableRows: 1_000_000, minCostReduction: 0.5, statementTimeoutMs: 5000, lockTimeoutMs: 1000, root: '/nonexistent', ...overrides };
}

export async function advise(which: 'hypopg' | 'nohypo', sql: string, overrides: Partial<AdvisorSettings> = {}): Promise<StatementAdvice> {
  const { client, schema } = await connect(which);
  return adviseStatement({ database: client, statement: await parseOne(sql), schema, settings: settings(overrides) });
}

/** Index definitions of the fixture database, read on a fresh connection (not through the advisor's pool). */
export async function indexDefinitions(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ indexdef: string }>("select indexdef from pg_indexes where schemaname = 'public' order by 1");
    return rows.map((r) => r.indexdef);
  } finally {
    await client.end();
  }
}

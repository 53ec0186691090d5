// Everything pglens writes for people to run, run: the engine analyses queries and a migration over tables whose
// names are reserved words (`"order"`, `"user"`), mixed case (`"Created At"`) and hold quotes (`"Line""Items"`);
// every fix's SQL, every migration file and every index suggestion it emits is parsed with libpg-query and then
// PREPAREd (statements with parameters) or executed inside a transaction that is rolled back, on a scratch database.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { loadParser } from '../../server/src/engine/parse/parse';
import type { Finding } from '../../server/src/engine/types';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { applyEdits, statementsOf, withoutConcurrently } from './emittedSqlUtils';

const SCHEMA = `
create extension if not exists hypopg;
create table "order" (id bigint primary key, "user" text not null, status text not null, "Created At" timestamptz not null, note text, "Amount" int not null);
insert into "order" select g, 'u' || (g % 5000), case when g % 500 = 0 then 'pending' else 'done' end,
  timestamptz '2024-01-01' + g * interval '1 minute', 'n' || g, g % 1000 from generate_series(1, 60000) g;
create table "Line""Items" (id bigint primary key, "order" bigint not null references "order" (id), qty int not null);
insert into "Line""Items" select g, 1 + g % 60000, g % 7 from generate_series(1, 60000) g;
create index "order_Created At_idx" on "order" ("Created At");
create table "Audit" ("Entry Id" bigint primary key, "At" timestamptz not null, what text);
insert into "Audit" select g, timestamptz '2024-01-01' + (g % 1000) * interval '1 hour', 'w' from generate_series(1, 30000) g;
analyze "order";
analyze "Line""Items";
analyze "Audit";
`;

const QUERIES = [
  'select * from "order" where "user" = $1;',
  `select * from "order" where status = 'pending' order by "Created At" limit 50;`,
  'select * from "order" o join "Line""Items" li on li."order" = o.id where o."Amount" = $1;',
  'delete from "order" where id = $1;',
  `select id from "order" where "user" ilike '%' || $1 || '%';`,
  `select id from "order" where note ilike '%@%';`,
  'select id, "Created At" from "order" order by "Created At" desc limit 20 offset 20000;',
  'select id from "order" where "Amount" = $1 order by "Created At" limit $2 offset $3;',
  'select * from "order" where "Created At"::date = $1;',
  `update "order" set note = 'x' where note = $1;`,
  'delete from "Line""Items" where "order" in (select id from "order" where "Amount" = 7);',
  'select * from "Audit" order by "At" desc limit 20 offset 20000;',
].join('\n');

const MIGRATION = [
  'alter table "order" alter column "user" set not null;',
  'alter table "order" add column "select" timestamptz default clock_timestamp();',
  'alter table "Line""Items" add constraint "fk ""x""" foreign key ("order") references "order" (id);',
  'create index on "order" (note);',
  'alter table "order" add constraint "order_user_key" unique ("user", id);',
  'alter table "order" add constraint "Amount positive" check ("Amount" >= 0);',
  'drop index "order_note_idx";',
].join('\n');

interface Emitted {
  where: string;
  sql: string;
  /** The file's text with the fix's edits applied, when the fix edits the file. */
  editedSource?: string;
  finding: Finding;
}

/** Every SQL text a finding carries for people: fix SQL, edited files, migration files, the index suggestion. */
function emittedTexts(findings: Finding[], sources: Map<string, string> = new Map()): Emitted[] {
  const out: Emitted[] = [];
  for (const finding of findings) {
    const where = `${finding.ruleId} at ${path.basename(finding.file)}:${finding.range.start.line + 1}`;
    for (const fix of finding.fixes ?? []) {
      const source = sources.get(finding.file);
      const editedSource = fix.edits?.length && source !== undefined ? applyEdits(source, fix.edits.filter((e) => e.file === finding.file)) : undefined;
      if (fix.sql) out.push({ where: `${where}, fix "${fix.title}"`, sql: fix.sql, editedSource, finding });
      // A file written with an edit (the VALIDATE after NOT VALID) runs after the edited migration.
      const after = editedSource === undefined || fix.newFile === undefined ? undefined : `${editedSource}\n${fix.newFile.content}`;
      if (fix.newFile && fix.newFile.path.endsWith('.sql')) out.push({ where: `${where}, file of "${fix.title}"`, sql: fix.newFile.content, editedSource: after, finding });
    }
    const suggestion = finding.evidence?.['indexSuggestion'] as { sql?: string; needsExtension?: string } | null | undefined;
    if (suggestion?.sql) {
      const extension = suggestion.needsExtension ? `CREATE EXTENSION IF NOT EXISTS ${suggestion.needsExtension};\n` : '';
      out.push({ where: `${where}, index suggestion`, sql: `${extension}${suggestion.sql}`, finding });
    }
    const keyset = finding.evidence?.['keyset'];
    if (typeof keyset === 'string') out.push({ where: `${where}, keyset`, sql: keyset, finding });
  }
  return out;
}

describe('emitted SQL parses and runs on PostgreSQL, with reserved-word, mixed-case and quoted names', () => {
  let scratch: TestFileDatabase;
  let database: DatabaseClient;
  let findings: Finding[] = [];
  const sources = new Map<string, string>();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-emitted-'));

  before(async () => {
    await loadParser();
    scratch = await openTestFileDatabase('pglens_emitted_sql');
    await scratch.client.query(SCHEMA);
    database = await connectPostgres(scratch.url);
    fs.mkdirSync(path.join(root, 'migrations'));
    fs.writeFileSync(path.join(root, 'migrations', '0001_init.sql'), '');
    const engine = new Engine({ config: defaultConfig(root), database });
    sources.set(path.join(root, 'queries.sql'), QUERIES);
    sources.set(path.join(root, 'migrations', '0002_change.sql'), MIGRATION);
    findings = [
      ...(await engine.analyzeFile(path.join(root, 'queries.sql'), QUERIES)).findings,
      ...(await engine.analyzeFile(path.join(root, 'migrations', '0002_change.sql'), MIGRATION)).findings,
    ];
  });

  after(async () => {
    await database?.close();
    await scratch?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('the findings cover the rules that write SQL', () => {
    const rules = new Set(findings.filter((f) => emittedTexts([f]).length > 0).map((f) => f.ruleId));
    for (const rule of ['seq-scan-large-table', 'fk-without-index', 'leading-wildcard-like', 'deep-offset-pagination', 'function-on-indexed-column', 'modify-scans-large-table', 'setting-not-null', 'constraint-missing-not-valid', 'require-concurrent-index-creation', 'require-concurrent-index-deletion', 'adding-unique-without-index', 'adding-column-with-volatile-default']) {
      assert.ok(rules.has(rule), `no SQL emitted by ${rule}; emitted by: ${[...rules].join(', ')}`);
    }
  });

  test('every emitted text parses, and every statement of it prepares or runs in a rolled-back transaction', async () => {
    const emitted = emittedTexts(findings, sources);
    assert.ok(emitted.length >= 15, `only ${emitted.length} texts`);
    const failures: string[] = [];
    const run = async (where: string, sql: string, context: string[] = []) => {
      let statements: { text: string; parameters: boolean }[];
      try {
        statements = statementsOf(sql);
      } catch (error) {
        failures.push(`${where}: does not parse (${(error as Error).message})\n${sql}`);
        return;
      }
      if (statements.length === 0) {
        failures.push(`${where}: no statement\n${sql}`);
        return;
      }
      await scratch.client.query('BEGIN');
      try {
        // What the migration did before the flagged statement (the index a DROP INDEX fix drops).
        for (const statement of context) await scratch.client.query(withoutConcurrently(statement));
        for (const [i, statement] of statements.entries()) {
          const text = withoutConcurrently(statement.text);
          if (statement.parameters) await scratch.client.query(`PREPARE pglens_emitted_${i} AS ${text}`);
          else await scratch.client.query(text);
        }
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message}\n${sql}`);
      } finally {
        await scratch.client.query('ROLLBACK');
        await scratch.client.query('DEALLOCATE ALL');
      }
    };
    for (const { where, sql, editedSource, finding } of emitted) {
      const isMigration = finding.file.includes(`${path.sep}migrations${path.sep}`);
      // A fix that edits the migration is run as the edited migration, whole (its SQL may be the part that follows
      // the edited statement: VALIDATE after ADD ... NOT VALID).
      if (editedSource !== undefined && isMigration) await run(`${where} (edited migration)`, editedSource);
      else {
        const earlier = isMigration ? statementsOf(MIGRATION).slice(0, finding.range.start.line).map((s) => s.text) : [];
        await run(where, sql, earlier);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('identifiers in the emitted SQL are quoted where PostgreSQL needs it', () => {
    const all = emittedTexts(findings).map((e) => e.sql).join('\n');
    assert.match(all, /ON "order" \("user"\)/);
    assert.match(all, /ON "Line""Items" \("order"\)/);
    assert.doesNotMatch(all, /ON order\b|\(user\)/);
    // The tiebreaker of a keyset on a non-unique key is the primary key "Entry Id", quoted once.
    assert.match(all, /\("At", "Entry Id"\) < \(\$1::timestamp with time zone, \$2::bigint\) order by "At" desc, "Entry Id" DESC limit 20/);
    // The range rewrite of a cast on a mixed-case column.
    assert.match(all, /\("Created At" >= \$1::date AND "Created At" < \$1::date \+ 1\)/);
  });
});

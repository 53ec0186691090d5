// Issue 11: an error is always true, and coverage is visible. SQL pglens assembled itself (an inlined constant) that
// does not parse is a skip, never a syntax-error; every skipped site is given as file:line:column in --verbose, JSON
// and SARIF; --stats and the summary line count sites checked and skipped; an embedded database with too little
// schema is one line and exit 2, while one built from a schema that covers the code reports a truly missing table.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const workspaces: { remove(): void }[] = [];
/** Embedded databases are built into a cache of this file's own, never the user's. */
const cacheHome = mkdtempSync(join(tmpdir(), 'pglens-coverage-cache-'));
after(() => {
  workspaces.forEach((w) => w.remove());
  rmSync(cacheHome, { recursive: true, force: true });
});
function workspace(files: Record<string, string>): string {
  const created = scratchWorkspace({ 'pglens.json': '{}', ...files });
  workspaces.push(created);
  return created.dir;
}
const EMBEDDED_ENV = { XDG_CACHE_HOME: cacheHome };

/**
 * Line 5: a fragment kept in a const and inlined into a query: pglens assembles `SELECT ... WHERE AND status = $1`,
 * which does not parse, and that is pglens's reading, not the code's fault. Line 7: a literal the code wrote wrong,
 * read completely from the source: a true syntax error.
 */
const ASSEMBLED = [
  "import { sql } from 'slonik';",
  '',
  'const ACTIVE = sql`AND`;',
  '',
  'export const active = (status: string) => sql`SELECT id FROM accounts WHERE ${ACTIVE} status = ${status}`;',
  '',
  'export const broken = () => sql`SELECT id FROM accounts WHERE`;',
  '',
].join('\n');

describe('assembled SQL and skipped sites', { concurrency: true }, () => {
  test('assembled SQL that does not parse is no finding, and --verbose gives it as file:line:column with the parser message', async () => {
    const dir = workspace({ 'src/accounts.ts': ASSEMBLED });
    const result = await runCli(['check', '.', '--no-embedded', '--verbose'], { cwd: dir });
    // The true syntax error (line 7) is still an error: exit 1.
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const findingLines = result.stdout.split('\n').filter((line) => /syntax-error$/.test(line));
    assert.equal(findingLines.length, 1, result.stdout);
    assert.match(findingLines[0], /^\s+7:\d+\s+error\s+SQL syntax error/);
    assert.match(result.stdout, /^ {2}src\/accounts\.ts:5:\d+ {2}assembled SQL does not parse: syntax error at or near "AND" {2}\(could not know: \$\{ACTIVE\}\)$/m);
    assert.doesNotMatch(result.stdout, /@\d+/, 'no character offsets');
  });

  test('a parse error at a ${expr} pglens took for a value is a skip naming the expression, not a syntax-error', async () => {
    // Without a tsconfig pglens cannot tell that `columns` is SQL text (a column list): read as the value $1, the
    // statement does not parse, and that is pglens's guess, not the code's error.
    const dir = workspace({
      'src/insert.ts': [
        "import { sql } from 'slonik';",
        "import { columns } from './columns';",
        'export const insert = (values: unknown[]) => sql`INSERT INTO accounts (${columns}) VALUES (${values})`;',
        '',
      ].join('\n'),
    });
    const result = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(
      report.skipped.map((skip) => [skip.line, skip.column, skip.reason, skip.expression]),
      [[3, 'export const insert = (values: unknown[]) => sql`INSERT INTO accounts ('.length + 1, 'read as the value $1, which PostgreSQL does not accept there: syntax error at or near "$1"', '${columns}']],
    );
  });

  test("another tool's placeholders (:name, $name!, {{ }}, #{name}) are skips naming the placeholder; a true syntax error stays an error", async () => {
    const reason = (placeholder: string) => `not read: ${placeholder} is a placeholder of a tool that fills it in before PostgreSQL reads the SQL (psql, pgtyped, aiosql, dbt...); pglens reads $1-style parameters only`;
    const dir = workspace({
      'queries/books.sql': [
        '/* @name FindBookById */',
        'SELECT * FROM books WHERE id = :bookId;',
        '',
        "SELECT * FROM {{ ref('books') }};",
        '',
        'SELECT id FROM books WHERE author = #{author} AND id::text = :"id";',
        '',
        'SELECT id FROM books WHERE;',
        '',
      ].join('\n'),
      'src/books.ts': ["import { sql } from '@pgtyped/runtime';", 'export const popular = sql`SELECT id FROM books WHERE rank > $minRank!::int`;', ''].join('\n'),
    });
    const result = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.map((finding) => [finding.ruleId, finding.line]), [['syntax-error', 8]]);
    assert.deepEqual(
      report.skipped.map((skip) => [skip.file, skip.line, skip.column, skip.reason]),
      [
        ['queries/books.sql', 2, 32, reason(':bookId')],
        ['queries/books.sql', 4, 15, reason("{{ ref('books') }}")],
        ['queries/books.sql', 6, 37, reason('#{author}')],
        ['src/books.ts', 2, 'export const popular = sql`SELECT id FROM books WHERE rank > '.length + 1, reason('$minRank!')],
      ],
    );
  });

  test('a ${expr} read as $n that only the database parser rejects (a sort direction in a window) is a skip, not a plan-error', async () => {
    // Plain JavaScript without a jsconfig, a forum's sorted-set store in its style: `${dir}` is pasted as ASC/DESC.
    // libpg-query accepts `ORDER BY score $2` inside OVER (...); PostgreSQL 18 rejects it while planning.
    const query = '  text: `SELECT m."member", RANK() OVER (PARTITION BY m."set_key" ORDER BY m."score" ${dir}, m."member" ${dir}) - 1 AS r FROM "ranked_member" m WHERE m."set_key" = $1`,';
    const dir = workspace({
      'src/database/sorted.js': [
        "const { Pool } = require('pg');",
        'const pool = new Pool();',
        'exports.rank = (dir, setKey) => pool.query({',
        '  name: `rank${dir}`,',
        query,
        '  values: [setKey],',
        '});',
        '',
      ].join('\n'),
      'schema.sql': 'CREATE TABLE ranked_member (set_key text, member text, score numeric);\n',
    });
    const result = await runCli(['check', '.', '--format', 'json'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(
      report.skipped.map((skip) => [skip.file, skip.line, skip.column, skip.reason, skip.expression]),
      [['src/database/sorted.js', 5, query.indexOf('${dir}') + 1, 'read as the value $2, which PostgreSQL does not accept there: syntax error at or near "$2"', '${dir}']],
    );
    assert.equal(report.summary.skipped, 1);
  });

  test('JSON: skipped entries carry line, column, reason and expression; the summary counts sites', async () => {
    const dir = workspace({ 'src/accounts.ts': ASSEMBLED });
    const result = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    const report = parseJsonReport(result) as ReturnType<typeof parseJsonReport> & {
      summary: { sites: number; checked: number; skipped: number };
      skipped: { file: string; line: number; column: number; reason: string; expression?: string }[];
      coverage: { byKind: Record<string, { sites: number; checked: number; skipped: number }>; byReason: { reason: string; count: number }[] };
    };
    assert.deepEqual(report.findings.map((f) => `${f.line} ${f.ruleId}`), ['7 syntax-error']);
    assert.equal(report.skipped.length, 1);
    const [skip] = report.skipped;
    assert.equal(skip.file, 'src/accounts.ts');
    assert.equal(skip.line, 5);
    // The column of the template's text, just after the backtick (1-based).
    assert.equal(skip.column, ASSEMBLED.split('\n')[4].indexOf('`') + 2);
    assert.match(skip.reason, /^assembled SQL does not parse: syntax error at or near "AND"$/);
    assert.equal(skip.expression, '${ACTIVE}');
    assert.deepEqual([report.summary.sites, report.summary.checked, report.summary.skipped], [report.summary.checked + 1, report.summary.checked, 1]);
    assert.ok(report.summary.checked >= 1);
    assert.deepEqual(report.coverage.byReason, [{ reason: 'assembled SQL does not parse', count: 1 }]);
    assert.equal(report.coverage.byKind['.ts'].skipped, 1);
  });

  test('--stats: sites checked and skipped per file kind and per reason; the summary line always says it', async () => {
    const dir = workspace({
      'src/accounts.ts': ASSEMBLED,
      'sql/report.sql': 'SELECT id FROM accounts;\nSELECT count(*) FROM accounts;\n',
    });
    const result = await runCli(['check', '.', '--no-embedded', '--stats'], { cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    const stats = result.stdout.slice(result.stdout.indexOf('Coverage:'));
    const lines = stats.split('\n');
    const ts = lines.find((line) => line.trim().startsWith('.ts'));
    const sql = lines.find((line) => line.trim().startsWith('.sql'));
    assert.ok(ts && sql, stats);
    // .ts: the two templates (the fragment const itself is checked where it is inlined); one of them skipped.
    const [tsSites, tsChecked, tsSkipped] = ts!.trim().split(/\s+/).slice(1).map(Number);
    assert.equal(tsSkipped, 1, stats);
    assert.equal(tsSites, tsChecked + 1, stats);
    assert.deepEqual(sql!.trim().split(/\s+/).slice(1).map(Number), [2, 2, 0], stats);
    assert.match(stats, /skipped, by reason:\n\s+1 {2}assembled SQL does not parse\n/);
    const sites = tsSites + 2;
    assert.match(lines[0], new RegExp(`^Coverage: ${sites} sites, ${sites - 1} checked, 1 skipped$`));
    // The summary line has the same three numbers, with or without --stats.
    const summary = result.stdout.trimEnd().split('\n').pop()!;
    assert.match(summary, new RegExp(`in 2 files \\(${sites} sites, ${sites - 1} checked, 1 skipped\\)`));
    const plain = await runCli(['check', '.', '--no-embedded'], { cwd: dir });
    assert.doesNotMatch(plain.stdout, /Coverage:/);
    assert.equal(plain.stdout.trimEnd().split('\n').pop(), summary);
  });

  test('SARIF: each skipped site is a note of the run, at its line and column', async () => {
    const dir = workspace({ 'src/accounts.ts': ASSEMBLED });
    const result = await runCli(['check', '.', '--no-embedded', '--format', 'sarif'], { cwd: dir });
    assert.equal(result.code, 1, result.stderr);
    const sarif = JSON.parse(result.stdout) as {
      runs: { results: { ruleId: string }[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] }[];
    };
    const [run] = sarif.runs;
    assert.deepEqual(run.results.map((r) => r.ruleId), ['syntax-error']);
    const notes = run.invocations[0].toolExecutionNotifications;
    assert.equal(notes.length, 1);
    assert.equal(notes[0].level, 'note');
    assert.match(notes[0].message.text, /^skipped: assembled SQL does not parse: .*\(could not know: \$\{ACTIVE\}\)$/);
    assert.deepEqual(notes[0].locations[0].physicalLocation.artifactLocation.uri, 'src/accounts.ts');
    assert.deepEqual(notes[0].locations[0].physicalLocation.region, { startLine: 5, startColumn: ASSEMBLED.split('\n')[4].indexOf('`') + 2 });
    // Skips are notes: the run itself did what it could.
    assert.equal(run.invocations[0].executionSuccessful, true);
  });
});

/** The application code of the embedded tests: three tables named, one of which (audit_trail) no migration creates. */
const APP_CODE = [
  "import { pool } from './db';",
  "export const byEmail = (email: string) => pool.query('SELECT id FROM customers WHERE email = $1', [email]);",
  "export const recent = (id: number) => pool.query('SELECT id, total FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT 10', [id]);",
  "export const audit = (id: number) => pool.query('SELECT * FROM audit_trail WHERE order_id = $1', [id]);",
  '',
].join('\n');

const MIGRATION = [
  'CREATE TABLE customers (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);',
  'CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total numeric NOT NULL);',
  'CREATE INDEX orders_customer_id_idx ON orders (customer_id);',
  '',
].join('\n');

describe('embedded database and its schema', { concurrency: true }, () => {
  test('no schema files: one line naming what was looked for, the missing tables and what to do; exit 2', async () => {
    const dir = workspace({ 'src/app.ts': APP_CODE });
    const result = await runCli(['check', '.'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const schemaLines = stderrLines(result).filter((line) => /schema/.test(line) && !/building|synthetic|analyzing/.test(line));
    assert.equal(schemaLines.length, 1, result.stderr);
    assert.match(
      schemaLines[0],
      /^pglens: the embedded database has too little of the schema to plan against: no schema files found \(looked for migrations\/.*\); 3 of 3 tables the code names are missing \(audit_trail, customers, orders\)\. Point "schema" in pglens\.json at the files that create these tables, or pass --db URL/,
    );
    assert.equal(stderrLines(result).at(-1), schemaLines[0], 'the last word of the run');
    // Not one finding per statement: the three "relation does not exist" are counted, not reported.
    assert.doesNotMatch(result.stdout, /plan-error/);
    assert.doesNotMatch(result.stdout, /✔/);
    assert.match(result.stdout, /3 statements \(0 planned, 3 not planned: the embedded database was built from no schema files\)/);

    // The same run, accepted on purpose: exit by the findings (none), the line still said.
    const accepted = await runCli(['check', '.', '--allow-incomplete-schema', '--format', 'json'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stderr, /too little of the schema/);
    const report = parseJsonReport(accepted) as ReturnType<typeof parseJsonReport> & { schemaProblem?: string; schemaGaps?: { count: number } };
    assert.deepEqual(report.findings, []);
    assert.equal(report.schemaGaps?.count, 3);
    assert.match(String(report.schemaProblem), /^the embedded database has too little of the schema/);
  });

  test('schema files that load but lack most tables: the line names the files and the first statement that failed', async () => {
    const dir = workspace({
      'src/app.ts': APP_CODE,
      // A ClickHouse table among the migrations: it does not load, and the code's tables are not there.
      'migrations/001_events.sql': 'CREATE TABLE events (id UInt64, at DateTime) ENGINE = MergeTree ORDER BY id;\nCREATE TABLE settings (key text PRIMARY KEY, value text);\n',
    });
    const result = await runCli(['check', '.'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const line = stderrLines(result).at(-1)!;
    assert.match(line, /built from 1 schema file \(migrations\/001_events\.sql\); 1 statement failed to load, first migrations\/001_events\.sql:1: /);
    assert.match(line, /3 of 3 tables the code names are missing \(audit_trail, customers, orders\)/);
    assert.doesNotMatch(result.stdout, /plan-error/);
  });

  test('a schema that covers the code: a truly missing table is a plan-error, and the run is not refused', async () => {
    const dir = workspace({ 'src/app.ts': APP_CODE, 'migrations/001_init.sql': MIGRATION });
    const result = await runCli(['check', '.', '--format', 'json'], { cwd: dir, env: EMBEDDED_ENV });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /too little of the schema/);
    const report = parseJsonReport(result);
    assert.equal(report.database?.kind, 'embedded');
    const planErrors = report.findings.filter((f) => f.ruleId === 'plan-error');
    assert.deepEqual(planErrors.map((f) => `${f.file}:${f.line}`), ['src/app.ts:4']);
    assert.match(planErrors[0].message, /relation "audit_trail" does not exist/);
  });

  test('a CREATE TABLE that failed to load: plan errors about missing objects are not findings, they are counted', async () => {
    const dir = workspace({
      'src/app.ts': APP_CODE,
      'migrations/001_init.sql': MIGRATION,
      // Loads nowhere but ClickHouse: the schema is not whole, so audit_trail may be missing because of it.
      'migrations/002_audit.sql': 'CREATE TABLE audit_trail (order_id UInt64, at DateTime) ENGINE = MergeTree ORDER BY order_id;\n',
    });
    const result = await runCli(['check', '.', '--format', 'json'], { cwd: dir, env: EMBEDDED_ENV });
    // Two of the three tables exist: not too thin, so no refusal; but no finding that blames the code either.
    assert.equal(result.code, 0, result.stderr);
    const report = parseJsonReport(result) as ReturnType<typeof parseJsonReport> & { schemaGaps?: { count: number; reason: string } };
    assert.deepEqual(report.findings.filter((f) => f.ruleId === 'plan-error'), []);
    assert.equal(report.schemaGaps?.count, 1);
    assert.match(report.schemaGaps!.reason, /^the embedded schema did not load whole \(migrations\/002_audit\.sql:1: /);
  });
});

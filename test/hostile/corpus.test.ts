// Issue 10, "Done when": the hostile corpus (test/hostile/corpus.ts) runs against a real PostgreSQL through
// `pglens check` and through the language server, and the database fingerprint (test/harness/fingerprint.ts) is the
// same after each case, `victim` still there.
//
// Five set-ups, each a repository in a temp folder with its own pglens.json:
//   - the plain URL (hypopg installed: what-if planning with hypothetical indexes);
//   - standard_conforming_strings = off set on the server for the role (ALTER ROLE app IN DATABASE ... SET, with
//     backslash_quote = on and escape_string_warning = off);
//   - the same set by the repository itself through its URL (`?options=-c standard_conforming_strings=off`);
//   - the same through PGOPTIONS in the environment;
//   - no hypopg and `advisor.indexTrials: true` (a real CREATE INDEX inside a rolled-back transaction).
//
// The CLI checks the whole repository in one run (one process exit flushes its statistics, so the write counters are
// compared exactly). The language server (one process per set-up) opens the files one by one; after each the
// fingerprint without write counters is compared (a live backend flushes them lazily), and the full one, counters
// included, once the server has stopped. A damaged database is cloned again from its template before the next set-up.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';

/** A repository root that need not exist: only where generated files would go is judged. */
const REPO_OUTSIDE = joinPath(tmpdir(), 'pglens-no-such-repo');
import { Client } from 'pg';
import { diffFingerprints, takeFingerprint, tableExists, waitForSessionsToEnd, withClient, type Fingerprint } from '../harness/fingerprint';
import { getSharedTestDatabase, type SharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, parseJsonReport, runCli, type CliResult } from '../cli/cliHarness';
import { ensureServerBuilt, LspTestClient, pathToUri } from '../lsp/lspTestClient';
import { ADVISOR_COMMENT_BREAK, DB_MODULE, HOSTILE_FILES, pathologicalFiles, SCS_BREAK } from './corpus';
import { createHostileDatabases, VICTIM, type HostileDatabases } from './hostileDatabase';
import { generatedSqlProblems, indexSqlProblem, isInside, loadParserForChecks, stackTraceIn, writeRepository, type Repository } from './hostileHarness';

const BASE = `pglens_hostile_${process.pid}`;
/** One file of the corpus in the language server: its first analysis, what-if planning included. */
const LSP_FILE_TIMEOUT_MS = 30_000;
const BYSTANDER = 'pglens-hostile-bystander';

let shared: SharedTestDatabase;
let dbs: HostileDatabases;

before(async () => {
  ensureCliBuilt();
  ensureServerBuilt();
  await loadParserForChecks();
  shared = await getSharedTestDatabase();
  dbs = await createHostileDatabases(shared, BASE);
});

after(async () => {
  await dbs?.drop();
});

interface SetUp {
  name: string;
  database: () => string;
  /** database.url in the repository's pglens.json. */
  configUrl: () => string;
  env?: () => Record<string, string>;
  advisor?: Record<string, unknown>;
}

const SET_UPS: SetUp[] = [
  { name: 'the plain URL, hypopg installed', database: () => dbs.names.main, configUrl: () => dbs.appUrl(dbs.names.main) },
  {
    name: 'standard_conforming_strings = off on the server (ALTER ROLE ... SET)',
    database: () => dbs.names.scsoff,
    configUrl: () => dbs.appUrl(dbs.names.scsoff),
  },
  {
    name: "standard_conforming_strings = off through the repository's URL options",
    database: () => dbs.names.main,
    configUrl: () => '${env:DATABASE_URL}?options=-c%20standard_conforming_strings%3Doff%20-c%20backslash_quote%3Don',
    env: () => ({ DATABASE_URL: dbs.appUrl(dbs.names.main) }),
  },
  {
    name: 'standard_conforming_strings = off through PGOPTIONS',
    database: () => dbs.names.main,
    configUrl: () => dbs.appUrl(dbs.names.main),
    env: () => ({ PGOPTIONS: '-c standard_conforming_strings=off -c escape_string_warning=off' }),
  },
  {
    name: 'no hypopg, advisor.indexTrials on',
    database: () => dbs.names.nohypo,
    configUrl: () => dbs.appUrl(dbs.names.nohypo),
    advisor: { indexTrials: true },
  },
];

function repositoryFor(setUp: SetUp, files: Record<string, string>): Repository {
  const config = { database: { url: setUp.configUrl() }, ...(setUp.advisor ? { advisor: setUp.advisor } : {}) };
  return writeRepository('hostile', { 'pglens.json': JSON.stringify(config, null, 2), 'src/db.ts': DB_MODULE, ...files });
}

async function settledFingerprint(superuserUrl: string): Promise<Fingerprint> {
  await waitForSessionsToEnd(superuserUrl, 'pglens%');
  return takeFingerprint(superuserUrl);
}

function describeRun(result: CliResult): string {
  return `exit ${result.code}${result.timedOut ? ' (killed: hung)' : ''}\nstderr:\n${result.stderr.slice(0, 3000)}\nstdout:\n${result.stdout.slice(0, 3000)}`;
}

/** The run finished on its own, with findings or without, and said nothing a person should not see. */
function assertCleanRun(result: CliResult): void {
  assert.equal(result.timedOut, false, `pglens check hung\n${describeRun(result)}`);
  assert.ok(result.code === 0 || result.code === 1, `pglens check completed with findings or none\n${describeRun(result)}`);
  const trace = stackTraceIn(result.stderr) ?? stackTraceIn(result.stdout);
  assert.equal(trace, undefined, `no stack trace in the output\n${describeRun(result)}`);
}

/** Clones the database again when a case changed it, so the next set-up starts from the template. */
async function resetIfChanged(database: string, baseline: Fingerprint): Promise<void> {
  await waitForSessionsToEnd(dbs.superuserUrl(database), 'pglens%', 5000);
  const now = await takeFingerprint(dbs.superuserUrl(database), { writes: false });
  if (diffFingerprints({ ...baseline, writes: {} }, now).length > 0) await dbs.reset(database);
}

for (const setUp of SET_UPS) {
  describe(`hostile repository, ${setUp.name}`, () => {
    let repo: Repository;
    let baseline: Fingerprint;
    before(async () => {
      repo = repositoryFor(setUp, HOSTILE_FILES);
      baseline = await settledFingerprint(dbs.superuserUrl(setUp.database()));
    });
    after(async () => {
      repo?.remove();
      if (baseline) await resetIfChanged(setUp.database(), baseline);
    });

    test('pglens check plans what it can, generates only what it meant, and leaves the database as it was', async () => {
      const superuserUrl = dbs.superuserUrl(setUp.database());
      const before = await settledFingerprint(superuserUrl);
      const result = await runCli(['check', '.', '--format', 'json'], { cwd: repo.dir, env: setUp.env?.() ?? {}, timeoutMs: 90_000 });
      const after = await settledFingerprint(superuserUrl);
      assert.deepEqual(diffFingerprints(before, after), [], `the database changed\n${describeRun(result)}`);
      assert.ok(await tableExists(superuserUrl, VICTIM), 'victim still exists');
      assertCleanRun(result);
      const report = parseJsonReport(result);
      // The corpus was really planned (a run that connects to nothing would pass the fingerprint trivially).
      assert.ok(report.summary.planned >= 10, `planned ${report.summary.planned} of ${report.summary.statements}`);
      assert.ok(
        report.findings.some((f) => f.ruleId === 'seq-scan-large-table' && f.file.endsWith('hostile-identifiers.sql')),
        `the hostile tables were planned: ${report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).join(', ')}`,
      );
      assert.deepEqual(generatedSqlProblems(report.findings, repo.dir), [], 'every generated statement is exactly the one meant');
    });

    test('the language server, opening each file, leaves the database as it was', async () => {
      const superuserUrl = dbs.superuserUrl(setUp.database());
      const before = await settledFingerprint(superuserUrl);
      const client = await LspTestClient.start({ rootDir: repo.dir, settings: {}, env: { ...cleanServerEnv(), ...(setUp.env?.() ?? {}) } });
      const changes: string[] = [];
      const generated: string[] = [];
      const finalDiagnostics = new Map<string, { code?: string | number }[]>();
      let previous = { ...before, writes: {} };
      try {
        // Connected to the database, not merely running: a server that plans nothing would pass the fingerprint.
        await client.waitForStatus((s) => (s.folders as { state: string }[])[0]?.state === 'connected', 30_000);
        for (const [name, text] of Object.entries(HOSTILE_FILES)) {
          const uri = pathToUri(`${repo.dir}/${name}`);
          await client.open(uri, name.endsWith('.sql') ? 'sql' : 'typescript', text);
          const outcome = await Promise.race([
            client.analysisComplete(uri).then(() => 'done'),
            new Promise<string>((resolve) => setTimeout(() => resolve('hung'), LSP_FILE_TIMEOUT_MS)),
          ]);
          if (outcome === 'hung') changes.push(`${name}: no pglens/analysisComplete within ${LSP_FILE_TIMEOUT_MS} ms`);
          const now = await takeFingerprint(superuserUrl, { writes: false });
          for (const line of diffFingerprints(previous, now)) changes.push(`${name}: ${line}`);
          previous = now;
          generated.push(...(await codeActionProblems(client, uri, repo.dir)).map((p) => `${name}: ${p}`));
          // Before closing: a close publishes an empty list.
          finalDiagnostics.set(name, [...client.published].reverse().find((p) => p.uri === uri)?.diagnostics ?? []);
          await client.close(uri);
        }
        assert.equal(client.child.exitCode, null, `the server is still running\n${client.stderr.join('')}`);
        const identifiers = finalDiagnostics.get('sql/hostile-identifiers.sql') ?? [];
        assert.ok(
          identifiers.filter((d) => d.code === 'seq-scan-large-table').length >= 4,
          `the hostile tables were planned in the editor: ${JSON.stringify(identifiers.map((d) => d.code))}`,
        );
      } finally {
        await client.stop();
      }
      const after = await settledFingerprint(superuserUrl);
      for (const line of diffFingerprints(before, after)) changes.push(`after the server stopped: ${line}`);
      assert.deepEqual(changes, [], 'no file changed the database');
      assert.ok(await tableExists(superuserUrl, VICTIM), 'victim still exists');
      assert.deepEqual(generated, [], 'every quick fix creates only CREATE INDEX migrations inside the repository');
      assert.equal(stackTraceIn(client.stderr.join('')), undefined, `no stack trace on the server's stderr:\n${client.stderr.join('')}`);
    });
  });
}

/** The server's environment: no database variables of the test runner (each set-up adds its own). */
function cleanServerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of Object.keys(process.env)) if (key === 'DATABASE_URL' || key.startsWith('PG')) env[key] = '';
  return env;
}

interface CodeActionLike {
  title: string;
  edit?: { documentChanges?: ({ kind?: string; uri?: string } & { textDocument?: { uri: string }; edits?: { newText: string }[] })[] };
}

/** Asks for the quick fixes of every diagnostic of `uri`; what is wrong with the files they would create. */
async function codeActionProblems(client: LspTestClient, uri: string, repoDir: string): Promise<string[]> {
  const problems: string[] = [];
  const latest = [...client.published].reverse().find((p) => p.uri === uri);
  for (const diagnostic of latest?.diagnostics ?? []) {
    let actions: CodeActionLike[] | null;
    try {
      actions = await client.request<CodeActionLike[] | null>('textDocument/codeAction', {
        textDocument: { uri },
        range: diagnostic.range,
        context: { diagnostics: [diagnostic], only: ['quickfix'] },
      });
    } catch (error) {
      problems.push(`codeAction failed: ${(error as Error).message}`);
      continue;
    }
    for (const action of actions ?? []) {
      const changes = action.edit?.documentChanges ?? [];
      const created = new Set(changes.filter((c) => c.kind === 'create').map((c) => c.uri!));
      for (const createdUri of created) {
        const path = fileURLToPath(createdUri);
        if (!isInside(repoDir, path)) problems.push(`"${action.title}" creates ${path}, outside the repository`);
        const text = changes
          .filter((c) => c.textDocument?.uri === createdUri)
          .flatMap((c) => c.edits ?? [])
          .map((e) => e.newText)
          .join('');
        for (const part of text.split(/;\s*\n/).filter((p) => p.replace(/--[^\n]*/g, '').trim())) {
          const problem = indexSqlProblem(`"${action.title}" migration`, part);
          if (problem) problems.push(problem);
        }
      }
    }
  }
  return problems;
}

describe('EXPLAIN ANALYZE from the editor, unconfirmed, runs nothing', () => {
  const STATEMENTS = [
    'SELECT audit_fn();',
    `SELECT "nextval"('s');`,
    `SELECT pg_advisory_lock(42);`,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${BYSTANDER}';`,
    `SELECT setval('s', 1000);`,
  ];
  let repo: Repository;
  let client: LspTestClient;
  let bystander: Client;
  before(async () => {
    repo = repositoryFor(SET_UPS[0], { 'sql/analyze-me.sql': STATEMENTS.join('\n') + '\n' });
    bystander = new Client({ connectionString: dbs.appUrl(dbs.names.main), application_name: BYSTANDER });
    bystander.on('error', () => {});
    await bystander.connect();
    client = await LspTestClient.start({ rootDir: repo.dir, settings: {}, env: cleanServerEnv() });
  });
  after(async () => {
    await client?.stop();
    await bystander?.end().catch(() => {});
    repo?.remove();
  });

  test('volatile functions, quoted nextval, advisory locks and backend termination need a confirmation', async () => {
    const superuserUrl = dbs.superuserUrl(dbs.names.main);
    const uri = pathToUri(`${repo.dir}/sql/analyze-me.sql`);
    await client.open(uri, 'sql', STATEMENTS.join('\n') + '\n');
    await client.analysisComplete(uri);
    const before = await takeFingerprint(superuserUrl, { writes: false });
    const answers: string[] = [];
    for (const [line, statement] of STATEMENTS.entries()) {
      const result = await client.request<{ needsConfirmation?: { reason: string }; error?: string; root?: unknown }>('pglens/explainAnalyze', {
        uri,
        position: { line, character: 3 },
      });
      if (!result.needsConfirmation) answers.push(`${statement} ran without confirmation: ${JSON.stringify(result).slice(0, 300)}`);
    }
    const after = await takeFingerprint(superuserUrl, { writes: false });
    const alive = await withClient(dbs.superuserUrl(dbs.names.main), async (c) =>
      (await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [BYSTANDER])).rows[0].n,
    );
    assert.deepEqual(answers, [], 'each statement asked for a confirmation');
    assert.deepEqual(diffFingerprints(before, after), [], 'nothing ran: no row, sequence value or advisory lock changed');
    assert.equal(alive, 1, 'the bystander session was not terminated');
  });
});

describe('pathological files: one file that cannot be analysed does not stop the run', () => {
  const NORMAL = `SELECT * FROM people WHERE email = 'a';\n`;
  let repo: Repository;
  before(() => {
    repo = repositoryFor(SET_UPS[0], { ...pathologicalFiles(), 'sql/normal.sql': NORMAL });
  });
  after(() => repo?.remove());

  test('pglens check reports the other files, and no stack overflow', async () => {
    const started = Date.now();
    const result = await runCli(['check', '.', '--format', 'json'], { cwd: repo.dir, timeoutMs: 90_000 });
    assertCleanRun(result);
    const report = parseJsonReport(result);
    assert.ok(
      report.findings.some((f) => f.file.endsWith('normal.sql') && f.ruleId === 'seq-scan-large-table'),
      `the normal file was checked: ${JSON.stringify(report.findings.map((f) => `${f.file} ${f.ruleId}`))}`,
    );
    assert.ok(Date.now() - started < 60_000, `finished in ${Date.now() - started} ms`);
  });

  test('the language server answers for each deep file and keeps analysing', async () => {
    const client = await LspTestClient.start({ rootDir: repo.dir, settings: {}, env: cleanServerEnv() });
    const unanswered: string[] = [];
    try {
      for (const [name, text] of Object.entries(pathologicalFiles())) {
        const uri = pathToUri(`${repo.dir}/${name}`);
        await client.open(uri, name.endsWith('.sql') ? 'sql' : 'typescript', text);
        const outcome = await Promise.race([
          client.analysisComplete(uri).then(
            () => 'done',
            (error: Error) => `failed: ${error.message}`,
          ),
          new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), LSP_FILE_TIMEOUT_MS)),
        ]);
        if (outcome !== 'done') unanswered.push(`${name}: ${outcome}`);
        await client.close(uri);
      }
      assert.equal(client.child.exitCode, null, `the server is still running\n${client.stderr.join('')}`);
      const uri = pathToUri(`${repo.dir}/sql/normal.sql`);
      await client.open(uri, 'sql', NORMAL);
      const published = await client.waitForDiagnostics(uri, { version: 1, timeoutMs: LSP_FILE_TIMEOUT_MS });
      assert.deepEqual(published.diagnostics.map((d) => d.code), ['seq-scan-large-table']);
    } finally {
      await client.stop();
    }
    assert.deepEqual(unanswered, [], 'every deep file got its analysis');
    assert.equal(stackTraceIn(client.stderr.join('')), undefined, `no stack trace on the server's stderr:\n${client.stderr.join('')}`);
  });
});

describe('controls: the corpus is hostile and the checks see it', () => {
  test('SCS_BREAK sent through the simple protocol to a server with standard_conforming_strings off drops victim, and the fingerprint shows it', async () => {
    const superuserUrl = dbs.superuserUrl(dbs.names.scsoff);
    const before = await settledFingerprint(superuserUrl);
    await withClient(dbs.appUrl(dbs.names.scsoff), async (c) => {
      // What pglens must never do: the text of a repository file as a simple query.
      await c.query(SCS_BREAK);
    });
    const after = await settledFingerprint(superuserUrl);
    try {
      assert.equal(await tableExists(superuserUrl, VICTIM), false, 'the control dropped victim');
      assert.ok(diffFingerprints(before, after).some((line) => /^rows "victim": 3 -> \(missing\)$/.test(line)), diffFingerprints(before, after).join('\n'));
    } finally {
      await dbs.reset(dbs.names.scsoff);
    }
  });

  test('the generated-SQL check refuses a second statement, a non-index migration and a file outside the repository', () => {
    const evilIndex = `CREATE INDEX ON people ((lower(email /* */ ))) ; COMMIT; DROP TABLE victim; -- */)))`;
    const problems = generatedSqlProblems(
      [
        {
          file: 'a.sql',
          line: 1,
          ruleId: 'seq-scan-large-table',
          evidence: { indexSuggestion: { sql: evilIndex } },
          fixes: [
            { title: 'Add index', sql: evilIndex, newFile: { path: `${REPO_OUTSIDE}/../../etc/evil.sql`, content: `${evilIndex};\n` } },
            { title: 'Copy CREATE INDEX', sql: 'CREATE INDEX CONCURRENTLY ON people (email);' },
          ],
        },
      ] as never,
      REPO_OUTSIDE,
    );
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(ADVISOR_COMMENT_BREAK.includes('*x./'));
  });
});

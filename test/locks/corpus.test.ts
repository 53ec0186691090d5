// The migration corpus (test/fixtures/migration-corpus, see test/locks/migrationCorpus.ts) scored with pglens's
// default config, the way a CI job runs it: `pglens check <workspace> --format json`, no pglens.json, no database
// (`--no-embedded`: the lock rules need none, and the corpus names production tables it does not create). For every
// layout (plain folder, Prisma, dbmate, golang-migrate): at least 40 dangerous migrations caught, no finding on a
// safe migration, none on rollback code.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import pg from 'pg';
import { ensureCliBuilt, parseJsonReport, runCli } from '../cli/cliHarness';
import { getSharedTestDatabase } from '../harness/postgres';
import { inDownSection, LAYOUTS, loadCorpus, score, statementCount, writeLayout, type Layout, type LayoutCase } from './migrationCorpus';

before(() => ensureCliBuilt());

const scratch = mkdtempSync(join(tmpdir(), 'pglens-corpus-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const MIN_CAUGHT = 40;

describe('the corpus itself', () => {
  const corpus = loadCorpus();

  test('has at least 40 dangerous and 15 safe migrations, each with a reason and a PostgreSQL docs section', () => {
    assert.ok(corpus.filter((f) => f.expected.dangerous).length >= 40);
    assert.ok(corpus.filter((f) => !f.expected.dangerous).length >= 15);
    for (const file of corpus) {
      assert.match(file.expected.docs, /^https:\/\/www\.postgresql\.org\/docs\/15\//, file.name);
      assert.ok(file.expected.reason.length > 10, file.name);
      // The header says the same as the manifest, so a reader of one file sees its verdict.
      assert.ok(file.text.startsWith(`-- ${file.expected.dangerous ? 'dangerous' : 'safe'}: ${file.expected.reason}\n-- ${file.expected.docs}\n`), file.name);
    }
  });

  test('each layout changes exactly the verdicts its tool implies', () => {
    const root = join(scratch, 'verdicts');
    const flips = (layout: Layout) =>
      writeLayout(layout, join(root, layout), corpus)
        .filter((c) => !c.rollback && c.expected.dangerous !== corpus.find((f) => f.name === c.source)!.expected.dangerous)
        .map((c) => c.source);
    // Sent as one query: only the safe CONCURRENTLY file with a SET before it turns dangerous.
    const multi = corpus.filter((f) => f.expected.outsideTransaction && statementCount(f.text) > 1).map((f) => f.name);
    assert.equal(multi.length, 1);
    assert.deepEqual(flips('plain'), []);
    assert.deepEqual(flips('prisma'), multi);
    assert.deepEqual(flips('golang-migrate'), multi);
    // dbmate: the same, plus the extra file that forgets transaction:false.
    assert.equal(flips('dbmate').length, 2);
  });
});

// The layouts' verdicts rest on how PostgreSQL runs one query holding several statements; asserted here on the test
// server, through the simple query protocol the way Prisma, dbmate and golang-migrate send a file (pg's query()
// without parameters), in a scratch schema that is dropped again.
describe('the server runs a query of several statements as one transaction', () => {
  test('SET lock_timeout; CREATE INDEX CONCURRENTLY fails as one query and succeeds as two', async () => {
    const db = await getSharedTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const schema = `corpus_probe_${process.pid}`;
    try {
      await client.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int)`);
      const corpusText = loadCorpus().find((f) => f.name.includes('safe_lock_timeout_then_create_index_concurrently'))!.text;
      const asOneQuery = corpusText.replace(/\bON orders\b/, `ON ${schema}.t`).replace(/\(account_id\)/, '(id)').replace(/orders_account_id_idx/, 'probe_idx');
      await assert.rejects(client.query(asOneQuery), /cannot run inside a transaction block/);
      for (const statement of asOneQuery.split(/;\s*\n/).filter((s) => s.replace(/--.*$/gm, '').trim())) await client.query(statement);
      const made = await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'probe_idx'`, [schema]);
      assert.equal(made.rowCount, 1);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await client.end();
    }
  });
});

interface LayoutRun {
  cases: LayoutCase[];
  /** Rule ids reported (warning or error) per migration path, outside rollback code. */
  flagged: Map<string, string[]>;
  /** Findings inside dbmate `-- migrate:down` sections, as `path:line rule`. */
  downFindings: string[];
}

async function runLayout(layout: Layout): Promise<LayoutRun> {
  const root = join(scratch, layout);
  const cases = writeLayout(layout, root);
  const result = await runCli(['check', root, '--no-embedded', '--format', 'json'], { cwd: root });
  assert.ok(result.code === 0 || result.code === 1, `pglens check exited ${result.code}\n${result.stderr}`);
  const report = parseJsonReport(result);
  const flagged = new Map<string, string[]>();
  const downFindings: string[] = [];
  for (const finding of report.findings) {
    if (finding.severity !== 'warning' && finding.severity !== 'error') continue;
    // The CLI prints paths relative to its working directory (the workspace root here).
    const full = resolve(root, finding.file);
    const path = relative(root, full).split(sep).join('/');
    if (inDownSection(readFileSync(full, 'utf8'), finding.line)) {
      downFindings.push(`${path}:${finding.line} ${finding.ruleId}`);
      continue;
    }
    flagged.set(path, [...(flagged.get(path) ?? []), finding.ruleId]);
  }
  return { cases, flagged, downFindings };
}

for (const layout of LAYOUTS) {
  describe(`corpus in the ${layout} layout`, () => {
    let run: LayoutRun;
    before(async () => {
      run = await runLayout(layout);
    });

    test(`catches at least ${MIN_CAUGHT} dangerous migrations`, (t) => {
      const s = score(run.cases, new Set(run.flagged.keys()));
      for (const path of s.missed) {
        const c = run.cases.find((x) => x.path === path)!;
        t.diagnostic(`missed ${path} (expected ${c.expected.rule ?? 'a finding'}: ${c.expected.reason})`);
      }
      for (const c of run.cases.filter((x) => x.expected.dangerous && x.expected.rule && run.flagged.has(x.path))) {
        const rules = run.flagged.get(c.path)!;
        if (!rules.includes(c.expected.rule!)) t.diagnostic(`caught ${c.path} by ${rules.join(', ')}, not ${c.expected.rule}`);
      }
      t.diagnostic(`${layout}: ${s.caught.length} of ${s.dangerous} dangerous caught`);
      assert.ok(s.caught.length >= MIN_CAUGHT, `${s.caught.length} of ${s.dangerous} caught; missed:\n  ${s.missed.join('\n  ')}`);
    });

    test('raises no warning or error on a safe migration or on rollback code', () => {
      const s = score(run.cases, new Set(run.flagged.keys()));
      const alarms = s.falseAlarms.map((path) => `${path}: ${run.flagged.get(path)!.join(', ')}`).concat(run.downFindings);
      assert.deepEqual(alarms, []);
    });
  });
}

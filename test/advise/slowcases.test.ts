// The slow-case corpus (test/fixtures/slowcases/): slow queries from public write-ups, each with its schema, a data
// generator that makes the slowness real, and the fix the write-up applied (or an equivalent listed with it), plus
// negative controls. Each case runs on a scratch database of the test cluster (hypopg in its own schema, the case's
// tables in public); the engine analyses the query as the CLI and the editor would (all rules, the advisor).
//
// A case's header says what must be reported:
//   -- expect: index <regex>   a finding carries an index suggestion whose CREATE INDEX matches
//   -- expect: rule <id>       a finding of that rule
//   -- expect: fix <regex>     a quick fix whose title matches
//   -- expect: quiet           no performance finding at all
// Done when (issue 13): all but at most one case get their fix, and every negative control stays quiet.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import type { Finding } from '../../server/src/engine/types';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'slowcases');

interface Expectation {
  kind: 'index' | 'rule' | 'fix' | 'quiet';
  value: string;
}

interface SlowCase {
  file: string;
  title: string;
  expectations: Expectation[];
  setup: string;
  query: string;
}

export function readCase(file: string): SlowCase {
  const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
  const [head, query] = text.split(/^-- query\s*$/m);
  if (query === undefined) throw new Error(`${file}: no "-- query" line`);
  const expectations: Expectation[] = [];
  for (const match of head.matchAll(/^-- expect: (index|rule|fix|quiet)\s*(.*)$/gm)) expectations.push({ kind: match[1] as Expectation['kind'], value: match[2].trim() });
  if (expectations.length === 0) throw new Error(`${file}: no "-- expect:" line`);
  return { file, title: /^-- case: (.*)$/m.exec(head)?.[1] ?? file, expectations, setup: head, query: query.trim() };
}

function met(expectation: Expectation, findings: Finding[]): boolean {
  switch (expectation.kind) {
    case 'index':
      return findings.some((f) => new RegExp(expectation.value).test((f.evidence?.['indexSuggestion'] as { sql?: string } | null | undefined)?.sql ?? ''));
    case 'rule':
      return findings.some((f) => f.ruleId === expectation.value);
    case 'fix':
      return findings.some((f) => (f.fixes ?? []).some((fix) => new RegExp(expectation.value).test(fix.title)));
    case 'quiet':
      return findings.every((f) => f.category !== 'performance');
  }
}

describe('slow-case corpus', () => {
  let scratch: TestFileDatabase;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-slowcases-'));
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.sql')).sort();
  const results: { file: string; ok: boolean; found: string }[] = [];

  before(async () => {
    scratch = await openTestFileDatabase('pglens_slowcases');
    await scratch.client.query('create schema ext');
    await scratch.client.query('create extension hypopg schema ext');
    await scratch.client.query('alter database pglens_slowcases set search_path = public, ext');
  });

  after(async () => {
    await scratch?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('at least 15 cases from write-ups and 3 negative controls', () => {
    const cases = files.map(readCase);
    assert.ok(cases.filter((c) => c.expectations.every((e) => e.kind !== 'quiet')).length >= 15);
    assert.ok(cases.filter((c) => c.expectations.some((e) => e.kind === 'quiet')).length >= 3);
    for (const c of cases.filter((c) => c.expectations.every((e) => e.kind !== 'quiet'))) assert.match(c.setup, /^-- source: https:\/\//m, c.file);
  });

  test('pglens reports the write-up fix (or its listed equivalent) on all but at most one case, and the controls stay quiet', async () => {
    for (const file of files) {
      const slow = readCase(file);
      await scratch.client.query('drop schema public cascade; create schema public');
      try {
        await scratch.client.query(slow.setup);
      } catch (error) {
        results.push({ file, ok: false, found: `setup failed: ${(error as Error).message}` });
        continue;
      }
      const database = await connectPostgres(scratch.url);
      try {
        const engine = new Engine({ config: defaultConfig(root), database });
        const { findings } = await engine.analyzeFile(path.join(root, file), `${slow.query}\n`);
        const ok = slow.expectations.every((e) => met(e, findings));
        const found = findings
          .filter((f) => f.category === 'performance')
          .map((f) => `${f.ruleId}${(f.evidence?.['indexSuggestion'] as { sql?: string } | null | undefined)?.sql ? `: ${(f.evidence!['indexSuggestion'] as { sql: string }).sql}` : ''}`)
          .join('; ');
        results.push({ file, ok, found });
      } finally {
        await database.close();
      }
    }
    // The table of docs/slowcases.md comes from here.
    console.log(results.map((r) => `| ${r.file} | ${r.ok ? 'yes' : 'NO'} | ${r.found || '(nothing)'} |`).join('\n'));
    const controls = results.filter((r) => readCase(r.file).expectations.some((e) => e.kind === 'quiet'));
    assert.deepEqual(controls.filter((r) => !r.ok), [], 'negative controls');
    const missed = results.filter((r) => !r.ok);
    assert.ok(missed.length <= 1, `missed: ${JSON.stringify(missed, null, 1)}`);
  });
});

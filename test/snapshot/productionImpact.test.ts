// Findings ordered by production impact: with a snapshot's pg_stat_statements numbers, `pglens check` lists the
// findings about the statements that cost production most first and labels them (stylish, JSON, SARIF rank and
// properties); without numbers the order is the file order, unchanged.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { serializeSnapshot } from '../../server/src/engine/snapshot/format';
import { statementsSnapshot } from './statementsSnapshot';
import { runCheckCommand } from '../../server/src/cli/checkCommand';

let folder: string;

before(async () => {
  await loadPgQuery();
  folder = mkdtempSync(join(tmpdir(), 'pglens-impact-'));
  mkdirSync(join(folder, 'src'));
  // Three statements the update-or-delete-without-where rule reports without a database, one file each, in file order
  // a, b, c; production spends 60% of its time on b's, 5% on a's and never runs c's.
  writeFileSync(join(folder, 'src', 'a.ts'), "export const a = (db: any) => db.query('DELETE FROM carts');\n");
  writeFileSync(join(folder, 'src', 'b.ts'), "export const b = (db: any) => db.query('UPDATE orders SET archived = true');\n");
  writeFileSync(join(folder, 'src', 'c.ts'), "export const c = (db: any) => db.query('DELETE FROM sessions');\n");
  const snapshot = statementsSnapshot(
    [
      { query: 'UPDATE orders SET archived = true', calls: 12_400, totalMs: 6_000 },
      { query: 'DELETE FROM carts', calls: 50, totalMs: 500 },
    ],
    // Counted for the ten minutes before takenAt: calls are said per minute.
    { totalMs: 10_000, statsReset: '2026-12-01T11:50:00.000Z' },
  );
  writeFileSync(join(folder, 'prod.json'), serializeSnapshot(snapshot));
  writeFileSync(join(folder, 'pglens.json'), '{}\n');
});

after(() => rmSync(folder, { recursive: true, force: true }));

async function check(...args: string[]): Promise<string> {
  let out = '';
  const stream = (append: (s: string) => void) => ({ write: (chunk: string | Uint8Array) => (append(String(chunk)), true) }) as unknown as NodeJS.WritableStream;
  await runCheckCommand([folder, '--no-color', '--no-embedded', ...args], { stdout: stream((s) => (out += s)), stderr: stream(() => undefined), env: {}, cwd: folder }, 'test');
  return out;
}

interface JsonFinding {
  file: string;
  ruleId: string;
  productionImpact?: { shareOfTime: number; label: string };
  notes?: string[];
}

test('without production numbers the findings keep the file order and carry no label', async () => {
  const report = JSON.parse(await check('--format', 'json')) as { findings: JsonFinding[] };
  assert.deepEqual(report.findings.map((f) => f.file), ['src/a.ts', 'src/b.ts', 'src/c.ts']);
  assert.ok(report.findings.every((f) => f.productionImpact === undefined));
});

test('with a snapshot the statement production spends most time on comes first, labelled, in JSON, SARIF and stylish', async () => {
  const report = JSON.parse(await check('--snapshot', 'prod.json', '--format', 'json')) as { findings: JsonFinding[] };
  assert.deepEqual(report.findings.map((f) => f.file), ['src/b.ts', 'src/a.ts', 'src/c.ts']);
  assert.deepEqual(report.findings[0].productionImpact, { shareOfTime: 0.6, label: 'prod 60% of DB time' });
  assert.deepEqual(report.findings[1].productionImpact, { shareOfTime: 0.05, label: 'prod 5.0% of DB time' });
  assert.equal(report.findings[2].productionImpact, undefined);
  // 12,400 calls in the ten minutes pg_stat_statements counted.
  assert.ok(report.findings[0].notes?.includes('prod: 1,240 calls/min · mean 0.48 ms · 60% of DB time (statistics of 2026-12-01)'), JSON.stringify(report.findings[0].notes));

  const sarif = JSON.parse(await check('--snapshot', 'prod.json', '--format', 'sarif')) as {
    runs: Array<{ results: Array<{ rank?: number; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>; properties: { productionImpact?: unknown } }> }>;
  };
  const results = sarif.runs[0].results;
  assert.deepEqual(results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri), ['src/b.ts', 'src/a.ts', 'src/c.ts']);
  assert.deepEqual(results.map((r) => r.rank), [60, 5, undefined]);
  assert.deepEqual(results[0].properties.productionImpact, { shareOfTime: 0.6, label: 'prod 60% of DB time' });

  const stylish = await check('--snapshot', 'prod.json');
  const b = stylish.indexOf('src/b.ts');
  const a = stylish.indexOf('src/a.ts');
  const c = stylish.indexOf('src/c.ts');
  assert.ok(b >= 0 && b < a && a < c, stylish);
  assert.match(stylish, /update-or-delete-without-where  \[prod 60% of DB time\]/);
});

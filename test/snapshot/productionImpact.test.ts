// Findings ordered by production impact: with a snapshot's pg_stat_statements numbers, `pglens check` lists the
// findings about the statements that cost production most first and labels them (stylish, JSON, SARIF rank and
// properties); without numbers the order is the file order, unchanged.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, loadPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { serializeSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type ProductionSnapshot } from '../../server/src/engine/snapshot/format';
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
  const entry = (query: string, totalMs: number, calls: number) => ({ fingerprint: fingerprintOf(query), query, calls, totalMs, meanMs: totalMs / calls, rows: 0, sharedBlocksHit: 0, sharedBlocksRead: 0 });
  const snapshot: ProductionSnapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    takenAt: '2026-12-01T12:00:00.000Z',
    server: { version: '15.10', versionNum: 150010, database: 'shop' },
    settings: {},
    privacy: { withValues: false, valuesDropped: [] },
    relations: [],
    statements: {
      available: true,
      totalMs: 10_000,
      // Counted for the ten minutes before takenAt: calls are said per minute.
      statsReset: '2026-12-01T11:50:00.000Z',
      entries: [entry('UPDATE orders SET archived = true', 6_000, 12_400), entry('DELETE FROM carts', 500, 50)],
    },
  };
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

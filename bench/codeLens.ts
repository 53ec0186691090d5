// CodeLens benchmark (issue 15), through the real server over stdio with a real LSP client: a generated TS file with
// 200 SQL sites, every one of which production runs (a snapshot with a pg_stat_statements entry per statement), no
// database (the lenses come from the last analysis, never from a database round trip). Measured: textDocument/codeLens
// on that file, against the floor of a request the server answers without work (pglens/memoryUsage) in the same run,
// both after the analysis is in. The ratio is what matters: a lens request costs about one round trip plus building
// 200 labels. Goal: p95 within 2x the floor's p95 + 5 ms.
//
//   node --import tsx bench/codeLens.ts            (BENCH_CODELENS_REQUESTS=200 to change the number of requests)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LspTestClient } from '../test/lsp/lspTestClient';
import { fingerprintOf, loadPgQuery } from '../server/src/engine/parse/libpgQuery';
import { serializeSnapshot } from '../server/src/engine/snapshot/format';
import { statementsSnapshot } from '../test/snapshot/statementsSnapshot';
import { generateStatement, ms, prng, ratio, report } from './util';

const SITES = 200;
const REQUESTS = Number(process.env.BENCH_CODELENS_REQUESTS ?? 200);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  await loadPgQuery();
  const dir = mkdtempSync(join(tmpdir(), 'pglens-bench-codelens-'));
  try {
    const random = prng(15);
    const texts = new Map<string, string>();
    const lines: string[] = [];
    for (let i = 0; i < SITES; i++) {
      const { sql } = generateStatement(random, i);
      let n = 0;
      const text = sql.replace(/\{\}/g, () => `$${++n}`);
      texts.set(fingerprintOf(text), text);
      lines.push(`export const q${i} = (db: any, a: unknown, b: unknown) => db.query('${text}', [a, b]);`);
    }
    const statements = [...texts.values()].map((query, i) => ({ query, calls: 1000 + i, totalMs: 500 + i }));
    const totalMs = statements.reduce((sum, s) => sum + s.totalMs, 0);
    writeFileSync(join(dir, 'prod.json'), serializeSnapshot(statementsSnapshot(statements, { totalMs, statsReset: '2026-12-01T11:00:00.000Z' })));
    writeFileSync(join(dir, 'pglens.json'), '{ "snapshot": "prod.json" }\n');
    const file = join(dir, 'queries.ts');
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, text);
    const uri = pathToFileURL(file).toString();

    const client = await LspTestClient.start({ rootDir: dir, settings: {}, initializationOptions: { allowEmbedded: false }, env: { DATABASE_URL: '', PGHOST: '', PGDATABASE: '' } });
    try {
      await client.open(uri, 'typescript', text);
      await client.analysisComplete(uri);
      const first = await client.request<unknown[]>('textDocument/codeLens', { textDocument: { uri } });
      const lenses = first.length;
      const lensTimes: number[] = [];
      const floorTimes: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        // Interleaved, so load on the machine hits both alike.
        let started = performance.now();
        await client.request('pglens/memoryUsage', {});
        floorTimes.push(performance.now() - started);
        started = performance.now();
        await client.request('textDocument/codeLens', { textDocument: { uri } });
        lensTimes.push(performance.now() - started);
      }
      const [lensP50, lensP95, floorP50, floorP95] = [percentile(lensTimes, 50), percentile(lensTimes, 95), percentile(floorTimes, 50), percentile(floorTimes, 95)];
      console.log(`CodeLens on a file of ${SITES} SQL sites (${lenses} lenses), ${REQUESTS} requests, against pglens/memoryUsage`);
      report('codeLens', {
        lenses,
        codeLensP50: ms(lensP50),
        codeLensP95: ms(lensP95),
        floorP50: ms(floorP50),
        floorP95: ms(floorP95),
        p50TimesFloor: ratio(lensP50 / floorP50),
        p95TimesFloor: ratio(lensP95 / floorP95),
        goalMet: lenses === SITES && lensP95 <= 2 * floorP95 + 5,
      });
    } finally {
      await client.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

import { generateFile } from '/work/main/bench/lsp';
import { Engine } from '/work/main/server/src/engine/analyze';
import { loadConfig } from '/work/main/server/src/engine/config';
import { openDatabaseForWorkspace } from '/work/main/server/src/engine/db/open';
import { performance } from 'perf_hooks';
(async () => {
  const { text } = generateFile(7, 200, 3000);
  const config = loadConfig(undefined, '/tmp', process.env);
  const database = await openDatabaseForWorkspace({ config, cliUrl: process.env.PGLENS_TEST_DATABASE_URL, env: {}, allowEmbedded: false, onProgress: () => {} });
  const engine = new Engine({ config, database, incremental: true });
  await engine.analyzeFile('/tmp/big.ts', text);
  const times: number[] = [];
  for (let i = 0; i < 80; i++) {
    const edited = text.replace("customer1000@example.com", `customer${2000 + i}@example.com`);
    const t = performance.now();
    await engine.analyzeFile('/tmp/big.ts', edited);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log('p50', times[40].toFixed(1), 'p95', times[76].toFixed(1));
  await database?.close();
})();

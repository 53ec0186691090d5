// `npm run bench`: the engine benchmarks of issue 2, one after another, each in its own process, against one fixture
// database (PGLENS_TEST_* when set, e.g. `source /tmp/devdb.env`; otherwise an ephemeral cluster started here and
// stopped at the end). Each benchmark prints its ratio against a floor measured in the same run; the summary at the
// end collects them. `npm run bench -- explain rss` runs only those.
//
// Exit code 1 when a benchmark fails to run; a missed goal is reported in the summary, not as a failure (the
// numbers depend on the machine and on what else runs on it: see docs/benchmarks.md).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sharedTestDatabaseEnv, startFixtureCluster, type EphemeralPostgres } from '../test/harness/postgres';

const BENCH_DIR = resolve(dirname(__filename));
const DEFAULT_BENCHMARKS = ['findParse', 'explain', 'rss'];
const NEEDS_DATABASE = new Set(['explain', 'rss', 'baseline']);

interface Outcome {
  name: string;
  code: number | null;
  seconds: number;
  results: Record<string, unknown>[];
}

function runBenchmark(name: string, env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const results: Record<string, unknown>[] = [];
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('BENCH_RESULT ')) results.push(JSON.parse(line.slice('BENCH_RESULT '.length)));
    });
    child.on('close', (code) => resolvePromise({ name, code, seconds: (Date.now() - started) / 1000, results }));
  });
}

function summaryLine(result: Record<string, unknown>): string {
  switch (result.bench) {
    case 'findParse':
      return `find + parse: ${result.ratio}x the floor (goal ${result.goal}: ${result.met ? 'met' : 'MISSED'}), ${result.statementsPerSecond} statements/s`;
    case 'explain':
      return (
        `EXPLAIN: ${result.ratio}x the bare pg loop (goal ${result.goal}: ${result.met ? 'met' : 'MISSED'}); ` +
        `second run ${result.cacheSpeedup}x faster (goal ${result.cacheGoal}: ${result.cacheMet ? 'met' : 'MISSED'}); ` +
        `whole Engine ${result.engineRatioToFloor}x the floor, ${result.engineCacheSpeedup}x faster the second time`
      );
    case 'rss':
      return `pglens check peak RSS: ${result.peakRssMb} MB (goal ${result.goal}: ${result.met ? 'met' : 'MISSED'}) on ${result.statements} statements in ${result.wallSeconds} s`;
    case 'baseline':
      return `check --baseline --changed-since (${result.changedFiles} of ${result.files} files changed): ${result.baselineChangedSince} vs full check ${result.fullCheck}, ${result.share} (goal ${result.goal}: ${result.met ? 'met' : 'MISSED'})`;
    default:
      return JSON.stringify(result);
  }
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2);
  const names = requested.length > 0 ? requested : DEFAULT_BENCHMARKS;
  for (const name of names) {
    if (!existsSync(join(BENCH_DIR, `${name}.ts`))) {
      console.error(`bench: no benchmark bench/${name}.ts`);
      return 2;
    }
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  let cluster: EphemeralPostgres | undefined;
  if (names.some((name) => NEEDS_DATABASE.has(name)) && !env.PGLENS_TEST_DATABASE_URL) {
    console.error('bench: starting a PostgreSQL cluster with the fixture database...');
    const started = await startFixtureCluster();
    cluster = started.cluster;
    Object.assign(env, sharedTestDatabaseEnv(started.shared));
    console.error(`bench: fixture loaded in ${(started.fixture.loadMs / 1000).toFixed(1)} s`);
  }
  const outcomes: Outcome[] = [];
  try {
    for (const name of names) {
      console.log(`\n=== ${name}`);
      outcomes.push(await runBenchmark(name, env));
    }
  } finally {
    await cluster?.stop();
  }
  console.log('\n=== summary');
  for (const outcome of outcomes) {
    if (outcome.code !== 0 || outcome.results.length === 0) console.log(`${outcome.name}: FAILED (exit ${outcome.code}) after ${outcome.seconds.toFixed(0)} s`);
    for (const result of outcome.results) console.log(`${summaryLine(result)} [${outcome.seconds.toFixed(0)} s]`);
  }
  return outcomes.every((outcome) => outcome.code === 0 && outcome.results.length > 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

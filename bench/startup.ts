// How long the bundled CLI takes to start and finish small runs, against bare Node (`node -e 0`) measured in the same
// run, interleaved: `pglens --help` (goal <= 1.5x bare node) and `pglens check one.sql --no-embedded` on a file of
// three statements (goal <= 3x). The bundle loads TypeScript, pg and PGlite only when a run needs them
// (scripts/build.mjs); which run loads what is asserted by test/cli/startup.test.ts.
//
//   npm run build && node --import tsx bench/startup.ts        BENCH_RUNS=N runs per command (default 15)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, ms, ratio, report } from './util';

// dirname(__filename), not __dirname: tsx's tsImport() gives a wrong __dirname (see test/harness/postgres.ts).
// BENCH_CLI=path/to/cli.js measures another build (e.g. an older commit's, for a before/after in the same conditions).
const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(resolve(dirname(__filename), '..'), 'out', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const dir = mkdtempSync(join(tmpdir(), 'pglens-startup-'));
writeFileSync(
  join(dir, 'one.sql'),
  ['SELECT id, email FROM users WHERE email = $1;', 'UPDATE orders SET status = $1 WHERE id = $2;', 'SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id;', ''].join('\n'),
);

const commands: Record<string, string[]> = {
  node: ['-e', '0'],
  help: [CLI, '--help'],
  checkSql: [CLI, 'check', 'one.sql', '--no-embedded'],
};
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete env.DATABASE_URL;
for (const key of Object.keys(env)) if (key.startsWith('PG') || key === 'NODE_OPTIONS') delete env[key];

function once(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

try {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (const args of Object.values(commands)) once(args); // warm the file cache
  // Interleaved, so that a busy moment of the machine falls on every command alike.
  for (let run = 0; run < RUNS; run++) for (const [name, args] of Object.entries(commands)) times[name].push(once(args));
  const floor = median(times.node);
  const help = median(times.help);
  const checkSql = median(times.checkSql);
  report('startup', {
    runs: RUNS,
    nodeMs: Math.round(floor),
    helpMs: Math.round(help),
    checkSqlMs: Math.round(checkSql),
    helpRatio: Number((help / floor).toFixed(2)),
    checkSqlRatio: Number((checkSql / floor).toFixed(2)),
    helpGoal: '<= 1.5x',
    checkSqlGoal: '<= 3x',
    met: help / floor <= 1.5 && checkSql / floor <= 3,
  });
  console.log(`  => --help ${ms(help)}, check one.sql --no-embedded ${ms(checkSql)} vs node -e 0 ${ms(floor)}: ${ratio(help / floor)} (goal <= 1.5x), ${ratio(checkSql / floor)} (goal <= 3x)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// `pglens check --baseline --changed-since` on the generated 2,000-file workspace with 10 changed files, against a full
// `pglens check` of the same workspace in the same run (issue 16; goal: at most 10% of the full check's time).
//
// The workspace (bench/util.ts generateWorkspace, the one bench/rss.ts uses) is committed in a git repository of its
// own with a baseline written by `pglens baseline`; then 10 files each get one more query (an edit a pull request
// makes). Both runs are the bundled CLI (out/cli.js) as child processes against the fixture database, timed from spawn
// to exit; each is run BENCH_PASSES times (default 3) and the medians are compared.
//
//   node --import tsx bench/baseline.ts          (npm run bench -- baseline; needs `npm run build`)

import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDatabase, generateWorkspace, median, ms, ratio, report } from './util';

const ROOT = resolve(dirname(__filename), '..');
// BENCH_CLI: a copy of the bundle beside it (out/), so that a rebuild during the run does not change what is measured.
const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(ROOT, 'out', 'cli.js');
const FILES = Number(process.env.BENCH_FILES ?? 2000);
const SITES_PER_FILE = Number(process.env.BENCH_SITES_PER_FILE ?? 10);
const CHANGED = Number(process.env.BENCH_CHANGED_FILES ?? 10);
const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const GOAL = 0.1;

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (key !== 'DATABASE_URL' && !key.startsWith('PG')) env[key] = value;
  return env;
}

function run(args: string[], cwd: string): Promise<{ code: number | null; ms: number; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, ms: performance.now() - started, stderr }));
  });
}

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@pglens.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, stdio: 'ignore' });
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run bench does)`);
  const { url } = await benchDatabase();
  const workspace = generateWorkspace({ files: FILES, sitesPerFile: SITES_PER_FILE });
  try {
    const dir = workspace.dir;
    const written = await run(['baseline', '.', '--db', url], dir);
    if (written.code !== 0) throw new Error(`pglens baseline exited ${written.code}: ${written.stderr}`);
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'main');
    git(dir, 'checkout', '-qb', 'feature');
    // Spread over the workspace: every 200th file of the generated ones gets one more query.
    const step = Math.max(1, Math.floor(workspace.files.length / CHANGED));
    for (let i = 0; i < CHANGED; i++) {
      appendFileSync(workspace.files[i * step].path, `\nexport const added${i} = (id: number) => pool.query('SELECT id, total_cents FROM orders WHERE account_id = $1 AND id > ${i}', [id]);\n`);
    }

    const full: number[] = [];
    const scoped: number[] = [];
    for (let pass = 0; pass < PASSES; pass++) {
      const a = await run(['check', '.', '--db', url, '--format', 'json', '--allow-database-failures'], dir);
      const b = await run(['check', '.', '--db', url, '--format', 'json', '--baseline', 'pglens-baseline.json', '--changed-since', 'main'], dir);
      if (a.code === 2 || b.code === 2) throw new Error(`a check failed: full ${a.code} ${a.stderr.slice(-500)}; scoped ${b.code} ${b.stderr.slice(-500)}`);
      full.push(a.ms);
      scoped.push(b.ms);
    }
    const fullMs = median(full);
    const scopedMs = median(scoped);
    const share = scopedMs / fullMs;
    report('baseline', {
      files: workspace.files.length,
      sites: workspace.sites,
      changedFiles: CHANGED,
      baselineWriteMs: ms(written.ms),
      fullCheck: ms(fullMs),
      baselineChangedSince: ms(scopedMs),
      share: ratio(share),
      goal: `<= ${GOAL}`,
      met: share <= GOAL,
      passes: PASSES,
    });
  } finally {
    workspace.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

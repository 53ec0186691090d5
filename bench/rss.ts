// Peak RSS of `pglens check` on the generated workspace (>= 2,000 TypeScript files, >= 20,000 SQL sites, the same
// generator as bench/findParse.ts) against the fixture database. Goal: at most 300 MB.
//
// The bundled CLI (out/cli.js, built by `npm run bench`) runs as a child process; its peak is read from
// /proc/<pid>/status (VmHWM, the high-water mark of the resident set, which only grows) every 20 ms while it runs.
// With BENCH_RSS_CROSS_CHECK=1 and /usr/bin/time present, a second run reports its "maximum resident set size" as a
// cross-check (off by default: a run takes minutes).
// The floor, for scale: the same node binary loading the same bundle and exiting (`pglens --version`).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchDatabase, generateWorkspace, report } from './util';

// dirname(__filename), not __dirname: tsx's tsImport() gives a wrong __dirname (see test/harness/postgres.ts).
const ROOT = resolve(dirname(__filename), '..');
const CLI = join(ROOT, 'out', 'cli.js');
const GOAL_MB = 300;
const FILES = Number(process.env.BENCH_FILES ?? 2200);
const SITES_PER_FILE = Number(process.env.BENCH_SITES_PER_FILE ?? 10);

interface Run {
  peakKb: number;
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

function vmHwmKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // exited
  }
}

/** Runs `command args`, sampling VmHWM of `pidToWatch(child)` until it exits. */
function runMeasured(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let peakKb = 0;
    const sample = () => {
      const kb = child.pid !== undefined ? vmHwmKb(child.pid) : undefined;
      if (kb !== undefined && kb > peakKb) peakKb = kb;
    };
    const timer = setInterval(sample, 20);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    // 'exit' fires once the process is gone; the last samples before it are within 20 ms of its end.
    child.on('close', (code) => {
      clearInterval(timer);
      resolvePromise({ peakKb, code, ms: performance.now() - started, stdout, stderr });
    });
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (key !== 'DATABASE_URL' && !key.startsWith('PG')) env[key] = value;
  return env;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm run bench does)`);
  const { url } = await benchDatabase();
  const workspace = generateWorkspace({ files: FILES, sitesPerFile: SITES_PER_FILE });
  try {
    const env = cleanEnv();
    const floor = await runMeasured(process.execPath, [CLI, '--version'], env);
    const run = await runMeasured(process.execPath, [CLI, 'check', workspace.dir, '--db', url, '--format', 'json'], env);
    if (run.code !== 0 && run.code !== 1) throw new Error(`pglens check exited ${run.code}: ${run.stderr.trim()}`);
    const summary = (JSON.parse(run.stdout) as { summary: { files: number; statements: number; planned: number; errors: number; warnings: number } }).summary;
    if (summary.statements < 20_000) throw new Error(`only ${summary.statements} statements checked`);

    let timeMaxKb: number | undefined;
    if (existsSync('/usr/bin/time') && process.env.BENCH_RSS_CROSS_CHECK === '1') {
      const timed = await runMeasured('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, CLI, 'check', workspace.dir, '--db', url, '--format', 'json'], env);
      const match = /MAXRSS (\d+)/.exec(timed.stderr);
      timeMaxKb = match ? Number(match[1]) : undefined;
    }

    const mb = (kb: number) => Math.round(kb / 1024);
    console.log(`pglens check: ${summary.files} files, ${summary.statements} statements (${summary.planned} planned), ${summary.errors + summary.warnings} findings`);
    report('rss', {
      files: summary.files,
      statements: summary.statements,
      planned: summary.planned,
      peakRssMb: mb(run.peakKb),
      goal: `<= ${GOAL_MB} MB`,
      met: mb(run.peakKb) <= GOAL_MB,
      ...(timeMaxKb !== undefined ? { usrBinTimeMaxRssMb: mb(timeMaxKb) } : {}),
      floorRssMb: mb(floor.peakKb),
      ratioToFloor: Number((run.peakKb / floor.peakKb).toFixed(2)),
      wallSeconds: Number((run.ms / 1000).toFixed(1)),
      statementsPerSecond: Math.round(summary.statements / (run.ms / 1000)),
    });
    console.log(`  => peak RSS ${mb(run.peakKb)} MB (goal <= ${GOAL_MB} MB); node + bundle alone: ${mb(floor.peakKb)} MB`);
  } finally {
    workspace.remove();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

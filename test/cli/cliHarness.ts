// Runs the real, bundled CLI (`node out/cli.js`) the way a person or a CI job does: a child process with arguments,
// a working directory and an environment, observed only through its exit code, stdout and stderr.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

// dirname(__filename), not __dirname: tsx's tsImport() gives a wrong __dirname (see test/harness/postgres.ts).
export const REPO_ROOT = resolve(dirname(__filename), '..', '..');
export const BUILT_CLI = join(REPO_ROOT, 'out', 'cli.js');
/**
 * What the tests run: a copy of out/cli.js taken once it is built, next to it (so node_modules resolve the same way).
 * Other processes may rebuild out/ while the tests run (a developer's `npm run build`, another test file); a
 * half-written bundle would fail in ways that look like exit codes.
 */
export const CLI_PATH = join(REPO_ROOT, 'out', `cli.test-${process.pid}.js`);
export const REALISTIC_APP = join(REPO_ROOT, 'test', 'fixtures', 'realistic-app');

/** Generous: only a hung CLI ever reaches it (the unreachable-database test relies on it to fail, not to time). */
export const CLI_TIMEOUT_MS = 120_000;

const BUILD_INPUTS = ['server/src', 'client/src', 'package.json', 'scripts/build.mjs'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Builds out/cli.js with scripts/build.mjs when it is missing or older than the sources (`npm test` builds before
 * the tests start, so there this does nothing). Test files run in parallel: a lock directory keeps two of them from
 * rewriting the bundle while the other runs it.
 */
export function ensureCliBuilt(): void {
  const lock = join(tmpdir(), `pglens-cli-build-${Buffer.from(REPO_ROOT).toString('hex').slice(-24)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than three minutes was left by a killed process.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      spawnSync('sleep', ['0.2']);
    }
  }
  try {
    const built = existsSync(BUILT_CLI) ? statSync(BUILT_CLI).mtimeMs : 0;
    const sources = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(REPO_ROOT, p))));
    if (built < sources) {
      const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
      if (result.status !== 0 || !existsSync(BUILT_CLI)) {
        throw new Error(`node scripts/build.mjs failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
      }
    }
    snapshotCli();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function snapshotCli(): void {
  if (existsSync(CLI_PATH)) return;
  for (let attempt = 0; ; attempt++) {
    copyFileSync(BUILT_CLI, CLI_PATH);
    // A copy taken while someone rewrites the bundle does not parse: take it again.
    if (spawnSync(process.execPath, ['--check', CLI_PATH]).status === 0) break;
    if (attempt >= 10) throw new Error(`${BUILT_CLI} does not parse`);
    spawnSync('sleep', ['1']);
  }
  process.on('exit', () => rmSync(CLI_PATH, { force: true }));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by the test's timeout: the CLI hung. */
  timedOut: boolean;
}

export interface RunCliOptions {
  cwd?: string;
  /** Added to a clean environment (no DATABASE_URL, PG*, PGLENS_* from the test runner). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** The environment a person's shell would have, minus anything that would point pglens at a database. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key.startsWith('PG') || key.startsWith('NODE_OPTIONS') || key.startsWith('PGLENS')) continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  // No periodic progress lines on stderr (a slow run on a busy machine would print some): tests that want them set it.
  env.PGLENS_PROGRESS_MS = '0';
  return { ...env, ...extra };
}

export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? CLI_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Lines of stderr, without the empty one after the last newline. */
export function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.length > 0);
}

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  ruleId: string;
  severity: string;
  category: string;
  message: string;
  docsUrl?: string;
}

export interface JsonReport {
  tool: string;
  version: string;
  database: { kind: string; label: string; serverVersion: string } | null;
  summary: { errors: number; warnings: number; infos: number; files: number; sites: number; checked: number; skipped: number; statements: number; planned: number };
  findings: JsonFinding[];
  skipped: { file: string; line: number; column: number; offset: number; reason: string; expression?: string }[];
}

export function parseJsonReport(result: CliResult): JsonReport {
  try {
    return JSON.parse(result.stdout) as JsonReport;
  } catch (error) {
    throw new Error(`stdout is not JSON (${(error as Error).message}); exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** `file:line ruleId` for sorting and readable assertion diffs. */
export function siteKey(file: string, line: number, ruleId: string): string {
  return `${file}:${line} ${ruleId}`;
}

const EXPECT = /(?:\/\/|--)\s*expect:\s*([\w-]+(?:\s*,\s*[\w-]+)*)\s*$/;

/**
 * The findings a fixture folder declares: every line ending in `// expect: rule-a, rule-b` (or `-- expect: ...` inside
 * SQL) expects exactly those rules to report a finding that starts on that line. Paths are relative to `dir`.
 */
export function expectedFindings(dir: string): string[] {
  const expected: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (/\.(sql|[cm]?[jt]sx?)$/.test(entry.name)) {
        const file = relative(dir, full).split(sep).join('/');
        readFileSync(full, 'utf8')
          .split('\n')
          .forEach((text, index) => {
            const match = EXPECT.exec(text);
            if (match) for (const rule of match[1].split(',')) expected.push(siteKey(file, index + 1, rule.trim()));
          });
      }
    }
  };
  visit(dir);
  return expected.sort();
}

/**
 * The test database is shared with test files that run at the same time, some of which hold table locks for a moment
 * (a rolled-back index trial, EXPLAIN ANALYZE of a write). pglens's default lock_timeout of 100 ms is right for a
 * production database and would turn such a moment into a plan-error here: the CLI tests wait a little longer.
 */
export const SHARED_DATABASE_TIMEOUTS = { lockTimeoutMs: 5000, statementTimeoutMs: 10000 };

/**
 * A scratch folder with the given files (paths relative to it), removed by the returned function. Without a
 * pglens.json among the files, one with SHARED_DATABASE_TIMEOUTS is written.
 */
export function scratchWorkspace(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-cli-'));
  if (!('pglens.json' in files)) writeFileSync(join(dir, 'pglens.json'), JSON.stringify({ database: SHARED_DATABASE_TIMEOUTS }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A scratchWorkspace removed when the test process exits: for tests that make one each. Returns its folder. */
export function scratchFolder(files: Record<string, string>): string {
  const created = scratchWorkspace(files);
  process.once('exit', created.remove);
  return created.dir;
}

// Scores pglens, Squawk and the Postgres Language Server on the same migration corpus
// (test/fixtures/migration-corpus/plain, verdicts in its expected.json): caught, missed and false alarms per tool.
//
//   npm run build && node --import tsx bench/migrationCorpus.ts [--details]
//
// The other tools are not dependencies of pglens: install them into a scratch folder and point at it,
//   mkdir -p /tmp/m4tools && cd /tmp/m4tools && npm init -y && npm install squawk-cli @postgres-language-server/cli
//   BENCH_TOOLS_DIR=/tmp/m4tools node --import tsx bench/migrationCorpus.ts
// A tool whose binary is missing is reported as such and left out of the table.
//
// "Flagged" means at least one warning or error on the file (any rule: a reader has to look at it either way);
// pglens infos are not counted. Each tool runs with its default configuration, no database, on a copy of the plain
// corpus in a temp folder (so no config file of this repository applies); Squawk and the Postgres Language Server
// are also run once with the rules that are not about locks or failures left out, to show what the defaults cost.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { loadCorpus, score, writeLayout, type LayoutCase, type Score } from '../test/locks/migrationCorpus';

const REPO = resolve(__dirname, '..');
const TOOLS = process.env.BENCH_TOOLS_DIR ?? '/tmp/m4tools';
const SQUAWK = process.env.SQUAWK_BIN ?? join(TOOLS, 'node_modules', '.bin', 'squawk');
const PLS = process.env.PLS_BIN ?? join(TOOLS, 'node_modules', '.bin', 'postgres-language-server');
const details = process.argv.includes('--details');

interface ToolRun {
  name: string;
  version: string;
  /** Migration path (relative to the workspace) -> the rules that flagged it. */
  flagged: Map<string, string[]>;
  error?: string;
}

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function add(flagged: Map<string, string[]>, path: string, rule: string): void {
  flagged.set(path, [...(flagged.get(path) ?? []), rule]);
}

function pglens(root: string): ToolRun {
  const cli = join(REPO, 'out', 'cli.js');
  const version = `pglens ${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version} (${run('git', ['rev-parse', '--short', 'HEAD'], REPO).stdout.trim()})`;
  const result = run(process.execPath, [cli, 'check', root, '--no-embedded', '--format', 'json'], root);
  const flagged = new Map<string, string[]>();
  if (result.status !== 0 && result.status !== 1) return { name: 'pglens', version, flagged, error: `exit ${result.status}: ${result.stderr.trim()}` };
  const report = JSON.parse(result.stdout) as { findings: { file: string; ruleId: string; severity: string }[] };
  for (const f of report.findings) {
    if (f.severity === 'warning' || f.severity === 'error') add(flagged, relative(root, resolve(root, f.file)).split(sep).join('/'), f.ruleId);
  }
  return { name: 'pglens', version, flagged };
}

function squawk(root: string, files: string[], exclude: string[]): ToolRun {
  const name = exclude.length ? `Squawk (without ${exclude.join(', ')})` : 'Squawk (defaults)';
  if (!existsSync(SQUAWK)) return { name, version: '-', flagged: new Map(), error: `no binary at ${SQUAWK}` };
  const version = run(SQUAWK, ['--version'], root).stdout.trim();
  const args = ['--reporter', 'json', '--pg-version', '15.0', ...(exclude.length ? ['--exclude', exclude.join(',')] : []), ...files];
  const result = run(SQUAWK, args, root);
  const flagged = new Map<string, string[]>();
  const entries = JSON.parse(result.stdout || '[]') as { file: string; level: string; rule_name: string }[];
  for (const e of entries) add(flagged, relative(root, resolve(root, e.file)).split(sep).join('/'), e.rule_name);
  return { name, version, flagged };
}

function postgresLanguageServer(root: string, files: string[], disabled: string[]): ToolRun {
  const name = disabled.length ? `Postgres Language Server (without ${disabled.join(', ')})` : 'Postgres Language Server (defaults)';
  if (!existsSync(PLS)) return { name, version: '-', flagged: new Map(), error: `no binary at ${PLS}` };
  const version = `postgres-language-server ${run(PLS, ['--version'], root).stdout.replace(/^Version:\s*/, '').trim()}`;
  const config = join(root, 'postgres-language-server.jsonc');
  if (disabled.length) {
    const safety = Object.fromEntries(disabled.map((rule) => [rule, 'off']));
    writeFileSync(config, JSON.stringify({ linter: { rules: { safety } } }));
  }
  try {
    // --disable-db: the corpus names production tables that no database here has; the lint rules need none.
    const result = run(PLS, ['check', '--disable-db', '--reporter', 'json', '--max-diagnostics', 'none', ...files], root);
    const flagged = new Map<string, string[]>();
    const report = JSON.parse(result.stdout.split('\n')[0] || '{}') as { diagnostics?: { severity: string; category: string; location: { path: string } }[] };
    for (const d of report.diagnostics ?? []) {
      if (d.severity === 'warning' || d.severity === 'error') add(flagged, relative(root, resolve(root, d.location.path)).split(sep).join('/'), d.category.replace(/^lint\/safety\//, ''));
    }
    return { name, version, flagged };
  } finally {
    rmSync(config, { force: true });
  }
}

function line(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

const scratch = mkdtempSync(join(tmpdir(), 'pglens-corpus-bench-'));
try {
  const corpus = loadCorpus();
  const root = join(scratch, 'plain');
  const cases: LayoutCase[] = writeLayout('plain', root, corpus);
  const files = cases.map((c) => c.path);
  const runs: ToolRun[] = [
    pglens(root),
    squawk(root, files, []),
    squawk(root, files, ['prefer-robust-stmts', 'require-statement-timeout']),
    postgresLanguageServer(root, files, []),
    postgresLanguageServer(root, files, ['addingFieldWithDefault', 'banDropNotNull', 'lockTimeoutWarning']),
  ];
  const scores = new Map<ToolRun, Score>(runs.map((r) => [r, score(cases, new Set(r.flagged.keys()))]));
  const dangerous = cases.filter((c) => c.expected.dangerous).length;
  console.log(`corpus: ${dangerous} dangerous, ${cases.length - dangerous} safe migrations (${basename(root)} layout)\n`);
  console.log(line(['tool', 'version', 'caught', 'missed', 'false alarms']));
  console.log(line(['---', '---', '---', '---', '---']));
  for (const r of runs) {
    if (r.error) {
      console.log(line([r.name, r.version, '-', '-', `not run: ${r.error}`]));
      continue;
    }
    const s = scores.get(r)!;
    console.log(line([r.name, r.version, `${s.caught.length} / ${s.dangerous}`, s.missed.length, `${s.falseAlarms.length} / ${s.safe}`]));
  }
  for (const r of runs.filter((x) => !x.error)) {
    const s = scores.get(r)!;
    console.log(`\n${r.name}`);
    console.log(`  missed: ${s.missed.map((p) => basename(p)).join(', ') || 'none'}`);
    console.log(`  false alarms: ${s.falseAlarms.map((p) => `${basename(p)} (${[...new Set(r.flagged.get(p))].join(', ')})`).join(', ') || 'none'}`);
  }
  if (details) {
    console.log('\nper file (x = flagged):');
    console.log(line(['file', 'expected', ...runs.filter((r) => !r.error).map((r) => r.name)]));
    for (const c of cases) {
      console.log(line([basename(c.path), c.expected.dangerous ? 'dangerous' : 'safe', ...runs.filter((r) => !r.error).map((r) => (r.flagged.has(c.path) ? [...new Set(r.flagged.get(c.path))].join(' ') : '-'))]));
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

// Real-code measurement (issue 11): runs `pglens check --format json --verbose` on a checked-out code base whose
// schema is loaded into a real database, and prints what a person needs to judge pglens there: SQL sites found,
// checked and skipped (with a histogram of skip reasons), findings by severity and rule, and every error-level finding
// on a line of its own. The whole result (pglens's own JSON included) is written to a file, so that a later run of
// the same code base can be compared with it.
//
//   node --import tsx bench/realworld.ts run <folder> [--db URL] [--config FILE] [--name NAME] [--commit SHA] [--cli out/cli.js]
//        [--out FILE] [--verdicts FILE] [--compare FILE] [--timeout-min 30] [sub/path ...]
//   node --import tsx bench/realworld.ts table <result.json> ...      (markdown table of saved results)
//
// <folder> is the code base; without sub-paths pglens checks the folder itself and its pglens.json decides what is
// included (--config names another config file, relative to <folder>). --db overrides the database of pglens.json.
// --verdicts names a JSON file of a person's reading of the error findings
// ({ "file:line:column rule": "right" | "false: <cause>" }), counted in the summary and the table.
// The code base is only read: pglens never writes into it during `check`.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const REPO_ROOT = resolve(__dirname, '..');

interface PglensFinding {
  file: string;
  line: number;
  column: number;
  ruleId: string;
  severity: string;
  message: string;
}

interface PglensSkip {
  file: string;
  line?: number;
  column?: number;
  offset?: number;
  reason: string;
  expression?: string;
}

interface PglensReport {
  summary: Record<string, number>;
  findings: PglensFinding[];
  skipped: PglensSkip[];
  notPlanned?: Array<{ file: string; line: number; reason: string }>;
  database?: unknown;
  [key: string]: unknown;
}

export interface ErrorFinding {
  key: string;
  where: string;
  rule: string;
  message: string;
  verdict?: string;
}

export interface RealworldResult {
  name: string;
  folder: string;
  paths: string[];
  commit: string;
  pglens: string;
  cli: string;
  date: string;
  durationMs: number;
  /** Peak resident set size of the `pglens check` process in MB (GNU time's maximum RSS), when /usr/bin/time exists. */
  peakRssMb?: number;
  exitCode: number | null;
  metrics: {
    files: number;
    sites: number;
    checked: number;
    planned: number;
    skipped: number;
    /** Skipped sites that are SQL fragments never inlined into a statement pglens could read (not queries by themselves). */
    fragments: number;
    notPlanned: number;
    skipReasons: Array<{ reason: string; count: number }>;
    bySeverity: Record<string, number>;
    byRule: Array<{ rule: string; severity: string; count: number }>;
    errors: number;
    right: number;
    false: number;
    unjudged: number;
  };
  errorFindings: ErrorFinding[];
  skippedSites: Array<{ where: string; reason: string; expression?: string }>;
  stderr: string[];
  report: PglensReport;
}

// ---------------------------------------------------------------------------------------------------------------

function fail(message: string): never {
  process.stderr.write(`realworld: ${message}\n`);
  process.exit(2);
}

/** A skip reason without its particulars (source text, names, numbers), so that reasons of one kind count together. */
export function reasonKind(reason: string): string {
  let kind = reason.replace(/^skipped: /, '');
  // Source text is quoted in backticks and may itself hold backticks (a template): everything from the first to the
  // last backtick of the reason is one particular.
  const first = kind.indexOf('`');
  const last = kind.lastIndexOf('`');
  if (first >= 0 && last > first) kind = `${kind.slice(0, first)}\`…\`${kind.slice(last + 1)}`;
  kind = kind.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').replace(/\s+/g, ' ').trim();
  return kind.length > 160 ? `${kind.slice(0, 157)}...` : kind;
}

/** 1-based line and UTF-16 column of an offset in a file's text (pglens's offsets are UTF-16, like editors'). */
function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function gitCommitOf(dir: string): string | undefined {
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return undefined;
  }
}

/** Which pglens the CLI bundle is: a PGLENS_COMMIT file beside out/ (an exported tree), else its git checkout. */
function pglensVersionOf(cli: string): string {
  const tree = dirname(dirname(cli));
  const marker = join(tree, 'PGLENS_COMMIT');
  if (existsSync(marker)) return readFileSync(marker, 'utf8').trim();
  return gitCommitOf(tree) ?? 'unknown';
}

// GNU time measures the child's peak RSS (the type-aware finder's memory on a monorepo is one of the things measured);
// it writes to its own file, so pglens's stdout and stderr stay as they are.
const GNU_TIME = '/usr/bin/time';

function runCli(cli: string, folder: string, args: string[], timeoutMs: number): Promise<{ stdoutFile: string; stderr: string; exitCode: number | null; durationMs: number; peakRssMb?: number }> {
  const dir = join(tmpdir(), 'pglens-realworld');
  mkdirSync(dir, { recursive: true });
  const stdoutFile = join(dir, `stdout-${process.pid}-${Date.now()}.json`);
  const timeFile = `${stdoutFile}.rss`;
  const out = createWriteStream(stdoutFile);
  const started = Date.now();
  const command = existsSync(GNU_TIME)
    ? { file: GNU_TIME, args: ['-f', '%M', '-o', timeFile, process.execPath, cli, 'check', ...args] }
    : { file: process.execPath, args: [cli, 'check', ...args] };
  const peakRssMb = (): number | undefined => {
    if (!existsSync(timeFile)) return undefined;
    const kb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
    return Number.isFinite(kb) && kb > 0 ? Math.round(kb / 1024) : undefined;
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command.file, command.args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.pipe(out);
    child.stderr.on('data', (chunk: Buffer) => {
      // The verbose log is kept for the record, up to a bound.
      if (stderr.length < 8_000_000) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`pglens check did not finish within ${Math.round(timeoutMs / 60000)} min`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      out.end(() => resolvePromise({ stdoutFile, stderr, exitCode: code, durationMs: Date.now() - started, peakRssMb: peakRssMb() }));
    });
  });
}

function readVerdicts(file: string | undefined): Record<string, string> {
  if (!file) return {};
  if (!existsSync(file)) fail(`--verdicts ${file}: no such file`);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) fail(`--verdicts ${file}: must be a JSON object of "file:line:column rule": "right" | "false: cause"`);
    return parsed as Record<string, string>;
  } catch (error) {
    fail(`--verdicts ${file}: ${(error as Error).message}`);
  }
}

const isStandAloneFragment = (reason: string) => /^SQL fragment, not a whole statement/.test(reason);
const isRight = (verdict: string | undefined) => verdict !== undefined && /^right\b/i.test(verdict);
const isFalse = (verdict: string | undefined) => verdict !== undefined && /^false\b/i.test(verdict);

export function summarise(report: PglensReport, folder: string, verdicts: Record<string, string>): Pick<RealworldResult, 'metrics' | 'errorFindings' | 'skippedSites'> {
  const summary = report.summary ?? {};
  const skipped = Array.isArray(report.skipped) ? report.skipped : [];
  const findings = Array.isArray(report.findings) ? report.findings : [];
  const texts = new Map<string, string>();
  const textOf = (file: string) => {
    if (!texts.has(file)) {
      const path = isAbsolute(file) ? file : join(folder, file);
      texts.set(file, existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : '');
    }
    return texts.get(file)!;
  };
  const skippedSites = skipped.map((site) => {
    let line = site.line;
    let column = site.column;
    if ((line === undefined || column === undefined) && typeof site.offset === 'number') ({ line, column } = lineColumnAt(textOf(site.file), site.offset));
    return { where: `${site.file}:${line ?? '?'}:${column ?? '?'}`, reason: site.reason, ...(site.expression ? { expression: site.expression } : {}) };
  });
  const reasons = new Map<string, number>();
  for (const site of skipped) reasons.set(reasonKind(site.reason), (reasons.get(reasonKind(site.reason)) ?? 0) + 1);
  const bySeverity: Record<string, number> = {};
  const rules = new Map<string, { rule: string; severity: string; count: number }>();
  for (const finding of findings) {
    bySeverity[finding.severity] = (bySeverity[finding.severity] ?? 0) + 1;
    const key = `${finding.ruleId}\u0000${finding.severity}`;
    const entry = rules.get(key) ?? { rule: finding.ruleId, severity: finding.severity, count: 0 };
    entry.count++;
    rules.set(key, entry);
  }
  const errorFindings: ErrorFinding[] = findings
    .filter((finding) => finding.severity === 'error')
    .map((finding) => {
      const where = `${finding.file}:${finding.line}:${finding.column}`;
      const key = `${where} ${finding.ruleId}`;
      return { key, where, rule: finding.ruleId, message: finding.message, ...(verdicts[key] ? { verdict: verdicts[key] } : {}) };
    });
  // Sites: today's JSON says them; earlier versions gave only statements and skips, which together are the sites.
  const checked = summary.checked ?? summary.statements ?? 0;
  const metrics = {
    files: summary.files ?? 0,
    sites: summary.sites ?? checked + skipped.length,
    checked,
    planned: summary.planned ?? 0,
    skipped: summary.skipped ?? skipped.length,
    fragments: skipped.filter((site) => isStandAloneFragment(site.reason)).length,
    notPlanned: summary.notPlanned ?? 0,
    skipReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    bySeverity,
    byRule: [...rules.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
    errors: errorFindings.length,
    right: errorFindings.filter((finding) => isRight(finding.verdict)).length,
    false: errorFindings.filter((finding) => isFalse(finding.verdict)).length,
    unjudged: errorFindings.filter((finding) => !isRight(finding.verdict) && !isFalse(finding.verdict)).length,
  };
  return { metrics, errorFindings, skippedSites };
}

const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`);

function printResult(result: RealworldResult, showSkipped: boolean): void {
  const m = result.metrics;
  const lines: string[] = [];
  const rss = result.peakRssMb !== undefined ? `, peak RSS ${result.peakRssMb} MB` : '';
  lines.push(`${result.name} @ ${result.commit}  (pglens ${result.pglens}, ${(result.durationMs / 1000).toFixed(1)} s${rss}, exit ${result.exitCode})`);
  lines.push('');
  lines.push(`  files              ${m.files}`);
  lines.push(`  SQL sites found    ${m.sites}`);
  lines.push(`  checked            ${m.checked} (${percent(m.checked, m.sites)})   of them planned: ${m.planned}${m.notPlanned ? `, not planned (database failed): ${m.notPlanned}` : ''}`);
  lines.push(`  skipped            ${m.skipped} (${percent(m.skipped, m.sites)})   of them SQL fragments never inlined into a statement: ${m.fragments}`);
  lines.push(`  checked of the sites that are not such fragments: ${percent(m.checked, m.sites - m.fragments)}`);
  for (const { reason, count } of m.skipReasons) lines.push(`    ${String(count).padStart(5)}  ${reason}`);
  lines.push(`  findings           ${Object.entries(m.bySeverity).map(([severity, count]) => `${severity} ${count}`).join(', ') || 'none'}`);
  for (const { rule, severity, count } of m.byRule) lines.push(`    ${String(count).padStart(5)}  ${severity.padEnd(8)} ${rule}`);
  lines.push(`  error findings     ${m.errors}${m.errors ? ` (right ${m.right}, false ${m.false}, not judged ${m.unjudged})` : ''}`);
  for (const finding of result.errorFindings) {
    const verdict = finding.verdict ? `  [${finding.verdict}]` : '';
    lines.push(`    ${finding.where}  ${finding.rule}  ${finding.message.split('\n')[0]}${verdict}`);
  }
  if (showSkipped && result.skippedSites.length > 0) {
    lines.push('  skipped sites');
    for (const site of result.skippedSites) lines.push(`    ${site.where}  ${site.reason}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printComparison(before: RealworldResult, after: RealworldResult): void {
  const a = before.metrics;
  const b = after.metrics;
  const delta = (x: number, y: number) => `${x} -> ${y}${y === x ? '' : ` (${y > x ? '+' : ''}${y - x})`}`;
  const lines = [
    '',
    `compared with ${before.date} (pglens ${before.pglens}):`,
    `  sites ${delta(a.sites, b.sites)}, checked ${delta(a.checked, b.checked)}, skipped ${delta(a.skipped, b.skipped)}, errors ${delta(a.errors, b.errors)}`,
  ];
  const beforeKeys = new Set(before.errorFindings.map((finding) => finding.key));
  const afterKeys = new Set(after.errorFindings.map((finding) => finding.key));
  const gone = before.errorFindings.filter((finding) => !afterKeys.has(finding.key));
  const added = after.errorFindings.filter((finding) => !beforeKeys.has(finding.key));
  if (gone.length) lines.push(`  error findings gone (${gone.length}):`, ...gone.map((finding) => `    - ${finding.key}${finding.verdict ? `  [${finding.verdict}]` : ''}`));
  if (added.length) lines.push(`  error findings new (${added.length}):`, ...added.map((finding) => `    + ${finding.key}  ${finding.message.split('\n')[0]}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}

function markdownTable(results: RealworldResult[]): string {
  const rows = [
    '| code base | commit | pglens | sites | checked | skipped | of them fragments | checked without fragments | error findings | right | false | not judged | wall time | peak RSS |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const m = r.metrics;
    rows.push(
      `| ${r.name} | \`${r.commit.slice(0, 12)}\` | ${r.pglens} | ${m.sites} | ${m.checked} (${percent(m.checked, m.sites)}) | ${m.skipped} | ${m.fragments ?? '-'} | ${m.fragments === undefined ? '-' : percent(m.checked, m.sites - m.fragments)} | ${m.errors} | ${m.right} | ${m.false} | ${m.unjudged} | ${(r.durationMs / 1000).toFixed(0)} s | ${r.peakRssMb === undefined ? '-' : `${r.peakRssMb} MB`} |`,
    );
  }
  return rows.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      config: { type: 'string' },
      name: { type: 'string' },
      commit: { type: 'string' },
      cli: { type: 'string' },
      out: { type: 'string' },
      verdicts: { type: 'string' },
      compare: { type: 'string' },
      'timeout-min': { type: 'string' },
      'show-skipped': { type: 'boolean' },
    },
  });
  const [folderArg, ...paths] = positionals;
  if (!folderArg) fail('usage: realworld.ts run <folder> [--db URL] [--name NAME] [--commit SHA] [--cli FILE] [--out FILE] [--verdicts FILE] [--compare FILE] [sub/path ...]');
  const folder = resolve(folderArg);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) fail(`${folderArg}: not a folder`);
  for (const path of paths) if (!existsSync(join(folder, path))) fail(`${path}: not found under ${folder}`);
  const cli = resolve(values.cli ?? join(REPO_ROOT, 'out', 'cli.js'));
  if (!existsSync(cli)) fail(`${cli} does not exist: run \`npm run build\` first (or give --cli)`);
  const timeoutMin = Number(values['timeout-min'] ?? 30);
  if (!Number.isFinite(timeoutMin) || timeoutMin <= 0) fail(`--timeout-min must be a positive number of minutes`);
  const verdicts = readVerdicts(values.verdicts);
  const previous = values.compare ? (JSON.parse(readFileSync(values.compare, 'utf8')) as RealworldResult) : undefined;
  const name = values.name ?? basename(folder);

  const args = [...(paths.length ? paths : ['.']), '--format', 'json', '--verbose', '--allow-database-failures'];
  if (values.db) args.push('--db', values.db);
  if (values.config) args.push('--config', resolve(folder, values.config));
  const run = await runCli(cli, folder, args, timeoutMin * 60_000);
  let report: PglensReport;
  try {
    report = JSON.parse(readFileSync(run.stdoutFile, 'utf8')) as PglensReport;
  } catch {
    process.stderr.write(run.stderr.split('\n').slice(-20).join('\n'));
    const measured = `${(run.durationMs / 1000).toFixed(1)} s${run.peakRssMb !== undefined ? `, peak RSS ${run.peakRssMb} MB` : ''}`;
    fail(`pglens check exited ${run.exitCode} without a JSON report after ${measured} (its last stderr lines are above; stdout in ${run.stdoutFile})`);
  }
  const result: RealworldResult = {
    name,
    folder,
    paths,
    commit: values.commit ?? gitCommitOf(folder) ?? 'unknown',
    pglens: pglensVersionOf(cli),
    cli,
    date: new Date().toISOString(),
    durationMs: run.durationMs,
    ...(run.peakRssMb !== undefined ? { peakRssMb: run.peakRssMb } : {}),
    exitCode: run.exitCode,
    ...summarise(report, folder, verdicts),
    stderr: run.stderr.split('\n').filter((line) => line.length > 0),
    report,
  };
  const out = resolve(values.out ?? join(tmpdir(), 'pglens-realworld', `${name}-${result.date.replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
  printResult(result, values['show-skipped'] === true);
  if (previous) printComparison(previous, result);
  process.stdout.write(`\nfull result: ${out}\n`);
  return 0;
}

function tableCommand(files: string[]): number {
  if (files.length === 0) fail('usage: realworld.ts table <result.json> ...');
  const results = files.map((file) => {
    if (!existsSync(file)) fail(`${file}: no such file`);
    return JSON.parse(readFileSync(file, 'utf8')) as RealworldResult;
  });
  process.stdout.write(`${markdownTable(results)}\n`);
  return 0;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'run') return runCommand(rest);
  if (command === 'table') return tableCommand(rest);
  fail('usage: realworld.ts run <folder> [options] [sub/path ...] | realworld.ts table <result.json> ...');
}

main().then(
  (code) => process.exit(code),
  (error: Error) => fail(error.message),
);

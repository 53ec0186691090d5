// Length of finding headlines (issue 14: <= 120 characters, ESLint's are under 100) and sentences said twice, on the
// shop example and the test fixtures, as `pglens check --format json` reports them (embedded database, no config
// database URL).
//
//   npm run build && node --import tsx bench/headlines.ts [--cli path/to/bin/pglens.js] [--show]
//
// `--cli` measures another build (e.g. an older checkout: its findings have no headline, so their message is measured).

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const cliArgument = process.argv.indexOf('--cli');
const cli = cliArgument > 0 ? resolve(process.argv[cliArgument + 1]) : resolve(REPO, 'bin/pglens.js');
const show = process.argv.includes('--show');
const WORKSPACES = ['examples/shop', 'test/fixtures/realistic-app', 'test/fixtures/migrations', 'test/fixtures/migration-corpus/plain', 'test/fixtures/app'];

interface JsonFinding {
  file: string;
  line: number;
  ruleId: string;
  headline?: string;
  message: string;
}

function percentile(sorted: number[], share: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

const all: number[] = [];
let repeated = 0;
console.log(`${'workspace'.padEnd(40)} ${'findings'.padStart(8)} ${'median'.padStart(6)} ${'p90'.padStart(5)} ${'max'.padStart(5)} ${'> 120'.padStart(5)} ${'repeats'.padStart(7)}`);
for (const workspace of WORKSPACES) {
  const run = spawnSync(process.execPath, [cli, 'check', '.', '--format', 'json'], { cwd: resolve(REPO, workspace), encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, DATABASE_URL: '' } });
  const start = run.stdout.indexOf('{');
  if (start < 0) {
    console.log(`${workspace}: no JSON (exit ${run.status}): ${run.stderr.split('\n')[0]}`);
    continue;
  }
  const findings = (JSON.parse(run.stdout.slice(start)) as { findings: JsonFinding[] }).findings;
  const lengths = findings.map((finding) => (finding.headline ?? finding.message).length).sort((a, b) => a - b);
  // A sentence said twice in one finding's text (the full message: headline and details).
  const repeats = findings.filter((finding) => {
    const sentences = finding.message.split(/(?<=[.!?])\s+(?=[A-Z])/).map((s) => s.trim().toLowerCase());
    return new Set(sentences).size < sentences.length;
  }).length;
  repeated += repeats;
  all.push(...lengths);
  console.log(
    `${workspace.padEnd(40)} ${String(findings.length).padStart(8)} ${String(percentile(lengths, 0.5)).padStart(6)} ${String(percentile(lengths, 0.9)).padStart(5)} ${String(lengths.at(-1) ?? 0).padStart(5)} ${String(lengths.filter((n) => n > 120).length).padStart(5)} ${String(repeats).padStart(7)}`,
  );
  if (show) for (const finding of findings) console.log(`  ${(finding.headline ?? finding.message).length}\t${finding.ruleId}\t${finding.headline ?? finding.message}`);
}
all.sort((a, b) => a - b);
console.log(
  `${'all'.padEnd(40)} ${String(all.length).padStart(8)} ${String(percentile(all, 0.5)).padStart(6)} ${String(percentile(all, 0.9)).padStart(5)} ${String(all.at(-1) ?? 0).padStart(5)} ${String(all.filter((n) => n > 120).length).padStart(5)} ${String(repeated).padStart(7)}`,
);

// The finder on a real checkout (issue 11, speed and memory of the type-aware finder): every JS/TS file of a folder
// (node_modules, dist, build and dot-folders left out) read with `findSqlInFile`, once with the options' own type
// context (what `pglens check` does) or with `program: false` (syntax only). Prints the time, the peak RSS and heap of
// the process, the Programs built (with BENCH_LOG=1 one line each) and the slowest files.
//
//   node --import tsx bench/findRealworld.ts /tmp/realworld/graphql-hive [--syntax-only] [--include packages/services]
//
// One mode per process, so that the peak RSS is the run's own. BENCH_MAX_PROGRAMS sets TypeContext's maxPrograms.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findSqlInFile, resolveFindOptions, SCRIPT_FILE_EXTENSIONS } from '../server/src/engine/find/index';
import { TypeContext } from '../server/src/engine/find/typeContext';

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'build', 'out', 'coverage']);

function listFiles(root: string, folder: string, files: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) listFiles(root, path, files);
    else if (entry.isFile()) {
      const dot = entry.name.lastIndexOf('.');
      if (dot > 0 && SCRIPT_FILE_EXTENSIONS.includes(entry.name.slice(dot).toLowerCase()) && !/\.d\.[mc]?ts$/.test(entry.name)) files.push(path);
    }
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const root = args.find((arg) => !arg.startsWith('--'));
  if (!root || !statSync(root).isDirectory()) {
    process.stderr.write('usage: bench/findRealworld.ts <folder> [--syntax-only] [--include <subfolder>]\n');
    process.exit(2);
  }
  const syntaxOnly = args.includes('--syntax-only');
  const includeAt = args.indexOf('--include');
  const files: string[] = [];
  listFiles(root, includeAt >= 0 ? join(root, args[includeAt + 1]) : root, files);
  files.sort();
  const programs: string[] = [];
  const log = (line: string) => {
    programs.push(line);
    if (process.env.BENCH_LOG === '1') process.stderr.write(`${line}\n`);
  };
  const options = { ...resolveFindOptions(), program: syntaxOnly ? false : new TypeContext({ log, maxPrograms: process.env.BENCH_MAX_PROGRAMS ? Number(process.env.BENCH_MAX_PROGRAMS) : undefined }) };
  const perFile: { file: string; ms: number; sites: number }[] = [];
  let sites = 0;
  let skipped = 0;
  let assembled = 0;
  let peakHeap = 0;
  const started = performance.now();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const fileStarted = performance.now();
    const found = findSqlInFile(file, text, options);
    perFile.push({ file: relative(root, file), ms: performance.now() - fileStarted, sites: found.sites.length });
    sites += found.sites.length;
    skipped += found.skipped.length;
    assembled += found.sites.filter((site) => site.assembled).length;
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const elapsed = performance.now() - started;
  const slowest = [...perFile].sort((a, b) => b.ms - a.ms).slice(0, 8);
  const result = {
    root,
    mode: syntaxOnly ? 'syntax-only' : 'types',
    files: files.length,
    sites,
    skipped,
    assembled,
    seconds: Math.round(elapsed) / 1000,
    programs: programs.filter((line) => line.includes('type information from')).length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    peakHeapMb: Math.round(peakHeap / 1024 / 1024),
    slowest: slowest.map((entry) => `${entry.file} ${Math.round(entry.ms)} ms (${entry.sites} sites)`),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main();

// Finding + parsing SQL in a generated workspace (>= 2,000 TypeScript files, >= 20,000 SQL sites), through pglens
// (`findSqlInFile` + `parseSite` for every site: what the engine does for a file before it needs a database), against
// the floor of the same work with nothing of pglens in it: `ts.createSourceFile` of every file plus libpg-query's
// `parseSync` of every SQL text pglens found. Goal: at most 1.5x the floor.
//
// Both sides get the file texts from memory (no I/O is timed), run one warm-up pass, then alternate measured passes;
// the medians are compared.

import * as ts from 'typescript';
import * as pg from '@libpg-query/parser';
import { findSqlInFile, resolveFindOptions } from '../server/src/engine/find/index';
import { loadParser, parseSite } from '../server/src/engine/parse/parse';
import { generateWorkspace, median, ms, ratio, report, timeSync } from './util';

const FILES = Number(process.env.BENCH_FILES ?? 2200);
const SITES_PER_FILE = Number(process.env.BENCH_SITES_PER_FILE ?? 10);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const GOAL = 1.5;

async function main(): Promise<void> {
  // pglens loads libpg-query's WASM module its own way (parse/libpgQuery.ts); the floor uses the package's.
  await Promise.all([loadParser(), pg.loadModule()]);
  const workspace = generateWorkspace({ files: FILES, sitesPerFile: SITES_PER_FILE });
  try {
    const files = workspace.files;
    const options = resolveFindOptions();

    // What pglens finds: the SQL texts the floor parses, and a check that the workspace is what it claims.
    const sqlTexts: string[] = [];
    let statements = 0;
    let errors = 0;
    let skipped = 0;
    for (const file of files) {
      const found = findSqlInFile(file.path, file.text, options);
      skipped += found.skipped.length;
      for (const site of found.sites) {
        sqlTexts.push(site.text);
        const parsed = parseSite(site);
        statements += parsed.statements.length;
        if (parsed.error) errors++;
      }
    }
    if (sqlTexts.length < 20_000 || files.length < 2_000) throw new Error(`workspace too small: ${files.length} files, ${sqlTexts.length} sites`);
    if (sqlTexts.length !== workspace.sites || errors > 0 || skipped > 0) {
      throw new Error(`pglens found ${sqlTexts.length} of ${workspace.sites} sites (${errors} syntax errors, ${skipped} skipped)`);
    }

    const pglensPass = () =>
      timeSync(() => {
        for (const file of files) {
          const found = findSqlInFile(file.path, file.text, options);
          for (const site of found.sites) parseSite(site);
        }
      });
    const floorPass = () =>
      timeSync(() => {
        for (const file of files) ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
        for (const text of sqlTexts) pg.parseSync(text);
      });

    pglensPass();
    floorPass();
    const pglensTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let pass = 0; pass < PASSES; pass++) {
      floorTimes.push(floorPass());
      pglensTimes.push(pglensPass());
    }
    const pglens = median(pglensTimes);
    const floor = median(floorTimes);
    const bytes = files.reduce((sum, file) => sum + file.text.length, 0);
    console.log(`find + parse: ${files.length} files (${(bytes / 1e6).toFixed(1)} MB), ${sqlTexts.length} SQL sites, ${statements} statements, median of ${PASSES} passes`);
    report('findParse', {
      files: files.length,
      sites: sqlTexts.length,
      statements,
      floorMs: Math.round(floor),
      pglensMs: Math.round(pglens),
      ratio: Number((pglens / floor).toFixed(2)),
      goal: `<= ${GOAL}x`,
      met: pglens / floor <= GOAL,
      statementsPerSecond: Math.round(statements / (pglens / 1000)),
      floorStatementsPerSecond: Math.round(statements / (floor / 1000)),
      passesMs: `pglens ${pglensTimes.map((t) => Math.round(t)).join('/')}, floor ${floorTimes.map((t) => Math.round(t)).join('/')}`,
    });
    console.log(`  => pglens ${ms(pglens)} vs floor ${ms(floor)}: ${ratio(pglens / floor)} (goal <= ${GOAL}x)`);
  } finally {
    workspace.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

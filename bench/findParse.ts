// Finding + parsing SQL in a generated workspace (>= 2,000 TypeScript files, >= 20,000 SQL sites), through pglens
// (`findSqlInFile` + `parseSite` for every site: what the engine does for a file before it needs a database), against
// the floor of the same work with nothing of pglens in it: `ts.createSourceFile` of every file plus libpg-query's
// `parseSync` of every SQL text pglens found. Goal: at most 1.5x the floor.
//
// Both sides get the file texts from memory (no I/O is timed), run one warm-up pass, then alternate measured passes;
// the medians are compared.
//
// With type information (issue 11): the workspace gets a tsconfig.json, and pglens's finder builds one TypeScript
// Program for it per pass (a fresh TypeContext, as one CLI run does) and asks the checker about every `${expr}`. That
// is measured against the syntax-only finder and against what `tsc --noEmit` does on the same files (a Program and
// its full type check, `ts.getPreEmitDiagnostics`, in process so that Node's start-up is not counted). Goal: at most
// 1.5x tsc --noEmit. BENCH_TYPES=0 leaves this part out.

import * as ts from 'typescript';
import * as pg from '@libpg-query/parser';
import { findSqlInFile, resolveFindOptions } from '../server/src/engine/find/index';
import { loadParser, parseSite } from '../server/src/engine/parse/parse';
import { TypeContext } from '../server/src/engine/find/typeContext';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWorkspace, median, ms, ratio, report, timeSync } from './util';

const FILES = Number(process.env.BENCH_FILES ?? 2200);
const SITES_PER_FILE = Number(process.env.BENCH_SITES_PER_FILE ?? 10);
const PASSES = Number(process.env.BENCH_PASSES ?? 5);
const GOAL = 1.5;
const TYPES = process.env.BENCH_TYPES !== '0';
const TYPE_PASSES = Number(process.env.BENCH_TYPE_PASSES ?? 3);

async function main(): Promise<void> {
  // pglens loads libpg-query's WASM module its own way (parse/libpgQuery.ts); the floor uses the package's.
  await Promise.all([loadParser(), pg.loadModule()]);
  const workspace = generateWorkspace({ files: FILES, sitesPerFile: SITES_PER_FILE });
  try {
    const files = workspace.files;
    // The syntax-only finder: the floor's comparison stays what it was before type information.
    const options = { ...resolveFindOptions(), program: false };

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
    if (TYPES) measureWithTypes(workspace.dir, files, sqlTexts.length, pglens);
  } finally {
    workspace.remove();
  }
}

function measureWithTypes(directory: string, files: { path: string; text: string }[], sites: number, syntaxOnlyMs: number): void {
  writeFileSync(
    join(directory, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], strict: true, noEmit: true, skipLibCheck: true }, include: ['src'] }),
  );
  const base = resolveFindOptions();
  const typedPass = () => {
    const options = { ...base, program: new TypeContext() };
    let found = 0;
    const time = timeSync(() => {
      for (const file of files) {
        const result = findSqlInFile(file.path, file.text, options);
        for (const site of result.sites) parseSite(site);
        found += result.sites.length;
      }
    });
    if (found !== sites) throw new Error(`with types pglens found ${found} of ${sites} sites`);
    return time;
  };
  const tscPass = () =>
    timeSync(() => {
      const config = ts.getParsedCommandLineOfConfigFile(join(directory, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
      const program = ts.createProgram({ rootNames: config!.fileNames, options: config!.options });
      ts.getPreEmitDiagnostics(program);
    });
  typedPass();
  tscPass();
  const typedTimes: number[] = [];
  const tscTimes: number[] = [];
  for (let pass = 0; pass < TYPE_PASSES; pass++) {
    tscTimes.push(tscPass());
    typedTimes.push(typedPass());
  }
  const typed = median(typedTimes);
  const tsc = median(tscTimes);
  report('findParseTypes', {
    files: files.length,
    sites,
    syntaxOnlyMs: Math.round(syntaxOnlyMs),
    withTypesMs: Math.round(typed),
    tscNoEmitMs: Math.round(tsc),
    ratioToTsc: Number((typed / tsc).toFixed(2)),
    ratioToSyntaxOnly: Number((typed / syntaxOnlyMs).toFixed(2)),
    goal: `<= ${GOAL}x tsc --noEmit`,
    met: typed / tsc <= GOAL,
    passesMs: `types ${typedTimes.map((t) => Math.round(t)).join('/')}, tsc ${tscTimes.map((t) => Math.round(t)).join('/')}`,
  });
  console.log(`  => with types ${ms(typed)} vs tsc --noEmit ${ms(tsc)}: ${ratio(typed / tsc)} (goal <= ${GOAL}x); syntax-only ${ms(syntaxOnlyMs)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// Issue 10, "Done when": a bounded fuzz test. Mutated TypeScript and SQL (the realistic app's files and the hostile
// corpus as seeds, a fixed seed for the PRNG) go through the engine in-process against the fixture database, and a
// batch of them through `pglens check`: no crash (analyzeFile never throws), no hang (a per-file bound), no stack
// trace in the CLI's output, and the database fingerprint unchanged.
//
//   PGLENS_FUZZ_ITERATIONS  files through the engine (default 3000; CI keeps the whole test under two minutes)
//   PGLENS_FUZZ_SEED        the PRNG seed (default 20240610)
// A longer run and its numbers: docs/benchmarks.md, "Fuzzing".

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import { diffFingerprints, takeFingerprint, waitForSessionsToEnd, type Fingerprint } from '../harness/fingerprint';
import { getSharedTestDatabase, type SharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, REALISTIC_APP, runCli } from '../cli/cliHarness';
import { HOSTILE_FILES } from './corpus';
import { stackTraceIn, writeRepository } from './hostileHarness';

const ITERATIONS = Number(process.env.PGLENS_FUZZ_ITERATIONS ?? 3000);
const SEED = Number(process.env.PGLENS_FUZZ_SEED ?? 20240610);
/** One file through the engine: a legitimate analysis takes milliseconds to a few seconds (statement timeout 2 s). */
const PER_FILE_TIMEOUT_MS = 15_000;
/** Mutated files checked by one `pglens check` run. */
const CLI_BATCH = 40;

/** mulberry32: a tiny PRNG, so that a failure is reproduced by its seed and iteration. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = ["'", '"', '`', '${', '}', '*/', '/*', '$$', '$a$', '\u0000', '\uFEFF', '\\', "E'", "U&'", '--', '\n', ';', '(', ')', 'sql`', '\u2028', '😀', '\r\n', '::', "'; DROP TABLE orders; --"];

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const at = () => Math.floor(random() * (text.length + 1));
  const mutations = 1 + Math.floor(random() * 4);
  for (let m = 0; m < mutations; m++) {
    const kind = Math.floor(random() * 7);
    if (kind === 0) {
      text = text.slice(0, at()); // truncate
    } else if (kind === 1) {
      const start = at();
      const end = Math.min(text.length, start + Math.floor(random() * 200));
      const where = at();
      text = text.slice(0, where) + text.slice(start, end) + text.slice(where); // duplicate a slice
    } else if (kind === 2 || kind === 3) {
      const where = at();
      text = text.slice(0, where) + pick(INSERTS) + text.slice(where); // insert a quote, comment, template or byte
    } else if (kind === 4) {
      const depth = 1 + Math.floor(random() * (random() < 0.1 ? 5000 : 50));
      const [open, close] = pick([['(', ')'], ['${', '}'], ['sql`', '`'], ['/*', '*/'], ['[', ']'], ['{', '}']] as const);
      const where = at();
      text = text.slice(0, where) + open.repeat(depth) + 'x' + close.repeat(random() < 0.5 ? depth : Math.floor(depth / 2)) + text.slice(where); // deep nesting
    } else if (kind === 5) {
      const tokens = text.split(/(\s+)/);
      if (tokens.length > 2) {
        const i = Math.floor(random() * tokens.length);
        const j = Math.floor(random() * tokens.length);
        [tokens[i], tokens[j]] = [tokens[j], tokens[i]]; // swap tokens
        text = tokens.join('');
      }
    } else {
      const start = at();
      text = text.slice(0, start) + text.slice(start + Math.floor(random() * 50)); // delete a slice
    }
  }
  return text;
}

function seedFiles(): { name: string; text: string }[] {
  const seeds: { name: string; text: string }[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.(ts|sql)$/.test(entry)) seeds.push({ name: path.slice(REALISTIC_APP.length + 1), text: readFileSync(path, 'utf8') });
    }
  };
  visit(REALISTIC_APP);
  for (const [name, text] of Object.entries(HOSTILE_FILES)) seeds.push({ name: `hostile/${name}`, text });
  return seeds;
}

let shared: SharedTestDatabase;
let database: DatabaseClient;
let before_: Fingerprint;

before(async () => {
  ensureCliBuilt();
  shared = await getSharedTestDatabase();
  await waitForSessionsToEnd(shared.superuserUrl, 'pglens%');
  before_ = await takeFingerprint(shared.superuserUrl);
  database = await connectPostgres(shared.url, { maxConnections: 2 });
});

after(async () => {
  await database?.close().catch(() => {});
});

test(`${ITERATIONS} mutated files through the engine and a batch through pglens check: no crash, hang or stack trace, the database unchanged`, async () => {
  const random = prng(SEED);
  const seeds = seedFiles();
  const root = '/fuzz';
  const engine = new Engine({ config: defaultConfig(root), database });
  const failures: string[] = [];
  const batch: Record<string, string> = {};
  const started = Date.now();
  let statements = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const seed = seeds[Math.floor(random() * seeds.length)];
    const text = mutate(seed.text, random);
    const extension = seed.name.endsWith('.sql') ? 'sql' : 'ts';
    const file = `${root}/case${i}.${extension}`;
    if (i % Math.max(1, Math.floor(ITERATIONS / CLI_BATCH)) === 0) batch[`case${i}.${extension}`] = text;
    const fileStarted = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        engine.analyzeFile(file, text),
        new Promise<'hung'>((resolve) => {
          timer = setTimeout(() => resolve('hung'), PER_FILE_TIMEOUT_MS);
        }),
      ]);
      if (outcome === 'hung') failures.push(`iteration ${i} (seed ${SEED}, from ${seed.name}): no result after ${PER_FILE_TIMEOUT_MS} ms`);
      else statements += outcome.statements.length;
    } catch (error) {
      failures.push(`iteration ${i} (seed ${SEED}, from ${seed.name}): analyzeFile threw ${(error as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() - fileStarted > PER_FILE_TIMEOUT_MS) break;
  }
  const engineMs = Date.now() - started;

  const repo = writeRepository('fuzz', { 'pglens.json': JSON.stringify({ database: { url: shared.url } }), ...batch });
  try {
    const result = await runCli(['check', '.', '--format', 'json'], { cwd: repo.dir, timeoutMs: 60_000 });
    if (result.timedOut) failures.push(`pglens check over ${Object.keys(batch).length} mutated files hung`);
    else if (result.code !== 0 && result.code !== 1) failures.push(`pglens check exit ${result.code}: ${result.stderr.slice(0, 500)}`);
    const trace = stackTraceIn(result.stderr) ?? stackTraceIn(result.stdout);
    if (trace) failures.push(`stack trace in pglens check's output: ${trace}`);
  } finally {
    repo.remove();
  }

  await database.close();
  await waitForSessionsToEnd(shared.superuserUrl, 'pglens%');
  const afterRun = await takeFingerprint(shared.superuserUrl);
  assert.deepEqual(failures, [], `fuzzing found problems (${ITERATIONS} files, ${statements} statements, ${engineMs} ms in the engine)`);
  assert.deepEqual(diffFingerprints(before_, afterRun), [], 'the database is unchanged');
  assert.ok(statements > ITERATIONS, `the mutated files still held SQL: ${statements} statements`);
  process.stderr.write(`fuzz: seed ${SEED}, ${ITERATIONS} files, ${statements} statements, engine ${engineMs} ms\n`);
});

// EXPLAIN of N distinct statements through pglens against a bare `pg` loop sending the same EXPLAINs (the floor).
// Goal: at most 1.3x the floor; then a second run over the unchanged code through the same Engine, at least 50x
// faster than the first (the plan cache).
//
// Statements: generated over the fixture schema (SELECT with joins, aggregates, sorts; UPDATE, DELETE, INSERT), all
// with parameters, so on PostgreSQL 15 each needs PREPARE, EXPLAIN EXECUTE with NULLs and DEALLOCATE.
//  - floor: one `pg` Client sending exactly what reaches the planner, one statement after another, nothing around
//    it (plan_cache_mode set once for the session); timed in chunks of 25 statements that alternate with pglens's;
//  - pglens EXPLAIN path: the Engine's own plan step (`explainCached`: the plan cache in front of explainStatement,
//    which adds BEGIN READ ONLY, SET LOCAL statement_timeout/lock_timeout, ROLLBACK), one statement after another
//    like the floor: the headline ratio; its second pass through the same Engine is the cache ratio;
//  - also shown: the floor and the EXPLAIN path on 4 connections at once (the CLI's concurrency), and the whole
//    `Engine.analyzeFile` over .sql files of 10 statements, 4 files at a time as `pglens check` does: parse,
//    schema facts, rules and the index advisor's what-if planning for statements with findings included.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Engine } from '../server/src/engine/analyze';
import { defaultConfig } from '../server/src/engine/config';
import { connectPostgres } from '../server/src/engine/db/postgres';
import { loadParser, parseSite, type ParsedStatement } from '../server/src/engine/parse/parse';
import type { SqlSite } from '../server/src/engine/types';
import { benchDatabase, generateStatement, median, ms, prng, ratio, report, timeAsync } from './util';

const N = Number(process.env.BENCH_EXPLAIN_STATEMENTS ?? 500);
const PER_FILE = 10;
const ROUNDS = Number(process.env.BENCH_EXPLAIN_ROUNDS ?? 3);
const CONCURRENCY = 4;
const CHUNK = 25;
const GOAL = 1.3;
const CACHE_GOAL = 50;

function sqlSite(text: string): SqlSite {
  return { file: 'bench.sql', origin: 'sql-file', text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length };
}

/** N distinct statements with `$n` parameters. */
function distinctStatements(count: number): string[] {
  const random = prng(7);
  const texts = new Set<string>();
  for (let variant = 0; texts.size < count; variant++) {
    let n = 0;
    texts.add(generateStatement(random, variant).sql.replace(/\{\}/g, () => `$${++n}`));
  }
  return [...texts];
}

/** What reaches the planner for one statement, sent on a bare client. */
async function bareExplain(client: Client, statement: ParsedStatement, serverVersionNum: number, index: number): Promise<void> {
  if (statement.parameterCount === 0) {
    await client.query(`EXPLAIN (FORMAT JSON) ${statement.text}`);
  } else if (serverVersionNum >= 160000) {
    await client.query(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${statement.text}`);
  } else {
    const name = `floor_${index}`;
    await client.query(`PREPARE ${name} AS ${statement.text}`);
    await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${new Array(statement.parameterCount).fill('NULL').join(', ')})`);
    await client.query(`DEALLOCATE ${name}`);
  }
}

async function bareLoop(url: string, statements: ParsedStatement[], serverVersionNum: number, connections: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new Client({ connectionString: url, application_name: 'pglens-bench-floor' });
      await client.connect();
      await client.query('SET plan_cache_mode = force_generic_plan');
      return client;
    }),
  );
  try {
    const queue = statements.map((statement, index) => ({ statement, index }));
    return await timeAsync(async () => {
      await Promise.all(
        clients.map(async (client) => {
          for (let next = queue.shift(); next; next = queue.shift()) await bareExplain(client, next.statement, serverVersionNum, next.index);
        }),
      );
    });
  } finally {
    await Promise.all(clients.map((client) => client.end()));
  }
}

async function main(): Promise<void> {
  await loadParser();
  const { url } = await benchDatabase();
  const texts = distinctStatements(N);
  const statements = texts.map((text) => {
    const parsed = parseSite(sqlSite(text));
    if (parsed.error || parsed.statements.length !== 1) throw new Error(`not one statement: ${text}`);
    return parsed.statements[0];
  });
  const dir = mkdtempSync(join(tmpdir(), 'pglens-bench-explain-'));
  const fileList: string[] = [];
  for (let i = 0; i < texts.length; i += PER_FILE) {
    const file = join(dir, 'queries', `q${String(i / PER_FILE).padStart(3, '0')}.sql`);
    mkdirSync(join(dir, 'queries'), { recursive: true });
    writeFileSync(file, texts.slice(i, i + PER_FILE).map((text) => `${text};\n`).join('\n'));
    fileList.push(file);
  }

  const probe = await connectPostgres(url);
  const serverVersionNum = probe.info.serverVersionNum;
  const serverVersion = probe.info.serverVersion;
  await probe.close();

  // Warm the server's catalog and relation caches once, for both sides alike.
  await bareLoop(url, statements, serverVersionNum, 1);

  const floorTimes: number[] = [];
  const floor4Times: number[] = [];
  const pathTimes: number[] = [];
  const path4Times: number[] = [];
  const cachedTimes: number[] = [];
  const engineFirstTimes: number[] = [];
  const engineSecondTimes: number[] = [];
  let cacheMisses = 0;
  let cacheHits = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const config = defaultConfig(dir);
    const database = await connectPostgres(url, { maxConnections: config.database.maxConnections });
    try {
      // The EXPLAIN path against the floor, one statement at a time on both sides, interleaved in chunks of 25
      // statements (floor first, then pglens, then the other way round) so that bursts of load from other work on
      // the machine fall on both sides alike. Then the same statements again through the same Engine: the cache.
      const engine = new Engine({ config, database });
      const schema = await engine.schemaFacts();
      const explainCached = (statement: ParsedStatement) => engine['explainCached'](statement, schema);
      const floorClient = new Client({ connectionString: url, application_name: 'pglens-bench-floor' });
      await floorClient.connect();
      await floorClient.query('SET plan_cache_mode = force_generic_plan');
      let floorTotal = 0;
      let pathTotal = 0;
      try {
        for (let start = 0, chunk = 0; start < statements.length; start += CHUNK, chunk++) {
          const part = statements.slice(start, start + CHUNK);
          const floorPart = () => timeAsync(async () => {
            for (const [offset, statement] of part.entries()) await bareExplain(floorClient, statement, serverVersionNum, round * N + start + offset);
          });
          const pathPart = () => timeAsync(async () => {
            for (const statement of part) await explainCached(statement);
          });
          if (chunk % 2 === 0) {
            floorTotal += await floorPart();
            pathTotal += await pathPart();
          } else {
            pathTotal += await pathPart();
            floorTotal += await floorPart();
          }
        }
      } finally {
        await floorClient.end();
      }
      floorTimes.push(floorTotal);
      pathTimes.push(pathTotal);
      cacheMisses = engine.planCache.misses;
      const hitsBefore = engine.planCache.hits;
      cachedTimes.push(await timeAsync(async () => {
        for (const statement of statements) await explainCached(statement);
      }));
      cacheHits = engine.planCache.hits - hitsBefore;
      if (cacheMisses !== N || cacheHits !== N) throw new Error(`plan cache: ${cacheMisses} misses, ${cacheHits} hits on the second pass`);

      // Four at a time, both sides.
      floor4Times.push(await bareLoop(url, statements, serverVersionNum, CONCURRENCY));
      const engine4 = new Engine({ config, database });
      const schema4 = await engine4.schemaFacts();
      const queue = [...statements];
      path4Times.push(await timeAsync(async () => {
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await engine4['explainCached'](next, schema4);
        }));
      }));

      // End to end, as `pglens check` drives the Engine.
      const full = new Engine({ config, database });
      const analyzeAll = async () => {
        let planned = 0;
        const files = [...fileList];
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            for (let file = files.shift(); file !== undefined; file = files.shift()) {
              const analysis = await full.analyzeFile(file, readFileSync(file, 'utf8'));
              planned += analysis.statements.filter((s) => s.plan).length;
            }
          }),
        );
        if (planned !== N) throw new Error(`pglens planned ${planned} of ${N} statements`);
      };
      engineFirstTimes.push(await timeAsync(analyzeAll));
      engineSecondTimes.push(await timeAsync(analyzeAll));
    } finally {
      await database.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });

  const floor = median(floorTimes);
  const path = median(pathTimes);
  const cached = median(cachedTimes);
  const floor4 = median(floor4Times);
  const path4 = median(path4Times);
  const engineFirst = median(engineFirstTimes);
  const engineSecond = median(engineSecondTimes);
  console.log(`EXPLAIN: ${N} distinct statements (${fileList.length} files) against PostgreSQL ${serverVersion}, median of ${ROUNDS} rounds`);
  report('explain', {
    statements: N,
    parameterized: statements.filter((s) => s.parameterCount > 0).length,
    floorMs: Math.round(floor),
    pglensMs: Math.round(path),
    ratio: Number((path / floor).toFixed(2)),
    goal: `<= ${GOAL}x`,
    met: path / floor <= GOAL,
    secondRunMs: Number(cached.toFixed(2)),
    cacheSpeedup: Math.round(path / cached),
    cacheGoal: `>= ${CACHE_GOAL}x`,
    cacheMet: path / cached >= CACHE_GOAL,
    planCache: `${cacheMisses} misses, then ${cacheHits} hits`,
    statementsPerSecond: Math.round(N / (path / 1000)),
    floor4ConnectionsMs: Math.round(floor4),
    pglens4ConnectionsMs: Math.round(path4),
    ratio4Connections: Number((path4 / floor4).toFixed(2)),
    engineFirstRunMs: Math.round(engineFirst),
    engineSecondRunMs: Math.round(engineSecond),
    engineRatioToFloor: Number((engineFirst / floor).toFixed(2)),
    engineCacheSpeedup: Number((engineFirst / engineSecond).toFixed(1)),
    roundsMs: `floor ${floorTimes.map(Math.round).join('/')}, pglens ${pathTimes.map(Math.round).join('/')}, cached ${cachedTimes.map((t) => t.toFixed(1)).join('/')}`,
  });
  console.log(
    `  => pglens ${ms(path)} vs floor ${ms(floor)}: ${ratio(path / floor)} (goal <= ${GOAL}x); second run ${ms(cached)}: ${Math.round(path / cached)}x faster (goal >= ${CACHE_GOAL}x)`,
  );
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

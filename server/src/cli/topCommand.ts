// `pglens top [paths...] [--snapshot FILE | --db URL]`: production's most expensive statements (pg_stat_statements)
// with the file:line of the code that sends each, and those found nowhere in the code.
// Exit codes: 0 listed, 2 bad usage, bad config, an unreadable snapshot or database (one line).

import * as path from 'node:path';
import { ConfigError } from '../engine/config';
import { DatabaseUnavailableError, isDatabaseFailure } from '../engine/db/client';
import { connectPostgres, resolveDatabaseUrl } from '../engine/db/postgres';
import { displayPath } from '../engine/analyze';
import { codeStatementsOf } from '../engine/snapshot/codeStatements';
import { readSnapshotFile, SnapshotFileError, snapshotDate, type ProductionSnapshot } from '../engine/snapshot/format';
import { describeRuntimeCost, RuntimeCosts, topStatements } from '../engine/snapshot/match';
import { readProductionSnapshot } from '../engine/snapshot/read';
import { listSourceFiles, loadWorkspaceConfig, MissingPathError } from '../engine/workspace';
import type { CommandIo } from './checkCommand';
import { parseCommandLine } from './commandSupport';
import { formatOptionHelp, type OptionSpec } from './options';

export const TOP_OPTIONS = [
  { name: 'snapshot', kind: 'string', value: 'FILE', help: 'a snapshot written by "pglens snapshot" (default: pglens.json "snapshot")' },
  { name: 'db', kind: 'string', value: 'URL', help: "read pg_stat_statements from this database now instead of a file" },
  { name: 'config', kind: 'string', value: 'FILE', help: 'pglens.json to use (default: found from the first path upwards)' },
  { name: 'limit', kind: 'string', value: 'N', default: '20', help: 'how many statements (default 20)' },
  { name: 'format', kind: 'string', value: 'FORMAT', choices: ['text', 'json'], default: 'text', help: 'text (default) or json' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

export const TOP_USAGE = `Usage: pglens top [paths...] [--snapshot FILE | --db URL] [options]

Lists the statements that took the most time in production (pg_stat_statements, from a snapshot or read now),
each with its calls, mean time and share of the database's time, and the file:line of the code (under the paths,
default the current folder) that sends it. A statement and the code match when libpg_query gives both texts the
same fingerprint (constants, $n parameters and IN lists do not count). Statements no code sends are listed as such.

Options:
${formatOptionHelp(TOP_OPTIONS)}`;

export async function runTopCommand(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(argv, TOP_OPTIONS, 'top', TOP_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) return usage(io, `--limit takes a whole number of 1 or more, got "${values.limit}"`);
  if (values.snapshot && values.db) return usage(io, 'give --snapshot or --db, not both');
  const targets = positionals.length > 0 ? positionals.map((p) => path.resolve(io.cwd, p)) : [io.cwd];

  let snapshot: ProductionSnapshot;
  let files: string[];
  let root: string;
  try {
    const { config } = loadWorkspaceConfig(targets[0], { cwd: io.cwd, configFile: values.config, env: io.env, allowEmbedded: false });
    root = config.root;
    files = listSourceFiles(targets, config);
    const snapshotFile = values.snapshot ? path.resolve(io.cwd, values.snapshot) : config.snapshot;
    if (values.db) {
      const { url } = resolveDatabaseUrl({ cliUrl: values.db, env: io.env });
      if (!url) return usage(io, '--db needs a database URL');
      const limits = { statementTimeoutMs: 30_000, lockTimeoutMs: 1_000 };
      const database = await connectPostgres(url, { maxConnections: 1, sessionLimits: limits });
      try {
        snapshot = await readProductionSnapshot(database, { withValues: false, limits });
      } finally {
        await database.close().catch(() => undefined);
      }
    } else if (snapshotFile) {
      snapshot = readSnapshotFile(snapshotFile);
    } else {
      return usage(io, 'no statistics: give --snapshot FILE or --db URL (or set "snapshot" in pglens.json)');
    }
    if (!snapshot.statements.available) {
      io.stderr.write(`pglens: the snapshot has no pg_stat_statements: ${snapshot.statements.note ?? 'not available'}\n`);
      return 2;
    }
    const code = await codeStatementsOf(config, files);
    const top = topStatements(snapshot, code, limit);
    if (values.format === 'json') {
      const rows = top.map(({ entry, shareOfTime, sites }) => ({
        ...entry,
        shareOfTime,
        sites: sites.map((site) => ({ file: displayPath(site.file, root), line: site.line, column: site.column })),
      }));
      io.stdout.write(`${JSON.stringify({ takenAt: snapshot.takenAt, totalMs: snapshot.statements.totalMs, statements: rows }, null, 2)}\n`);
      return 0;
    }
    const found = top.filter((row) => row.sites.length > 0).length;
    io.stdout.write(`Top ${top.length} statements by total time (production statistics of ${snapshotDate(snapshot)}); ${found} found in the code\n\n`);
    // Calls per minute when the snapshot knows since when pg_stat_statements counted (as check and the editor say them).
    const costs = new RuntimeCosts(snapshot);
    top.forEach(({ entry, shareOfTime, sites }, i) => {
      const cost = costs.costOfFingerprint(entry.fingerprint) ?? { calls: entry.calls, meanMs: entry.meanMs, totalMs: entry.totalMs, shareOfTime, date: '' };
      io.stdout.write(`${String(i + 1).padStart(3)}. ${describeRuntimeCost(cost)}\n`);
      io.stdout.write(`     ${oneLine(entry.query)}\n`);
      if (sites.length === 0) io.stdout.write('     not found in the code\n');
      for (const site of sites) io.stdout.write(`     ${displayPath(site.file, root)}:${site.line}:${site.column}\n`);
    });
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) return failure(io, `invalid config: ${error.message}`);
    if (error instanceof MissingPathError || error instanceof SnapshotFileError || error instanceof DatabaseUnavailableError) return failure(io, error.message);
    if (isDatabaseFailure(error) || typeof (error as { code?: unknown }).code === 'string') return failure(io, `cannot read pg_stat_statements: ${(error as Error).message.split('\n')[0]}`);
    throw error;
  }
}

function oneLine(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`pglens top: ${message}\n\n${TOP_USAGE}`);
  return 2;
}

function failure(io: CommandIo, message: string): number {
  io.stderr.write(`pglens: ${message}\n`);
  return 2;
}

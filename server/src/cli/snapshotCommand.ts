// `pglens snapshot --db URL [--out FILE] [--with-values]`: a production statistics snapshot (engine/snapshot/) as JSON,
// on stdout or written whole to a file. Exit codes: 0 written, 2 bad usage or a database that cannot be read (one line).

import * as path from 'node:path';
import { DatabaseUnavailableError, isDatabaseFailure } from '../engine/db/client';
import { connectPostgres, resolveDatabaseUrl } from '../engine/db/postgres';
import { serializeSnapshot } from '../engine/snapshot/format';
import { readProductionSnapshot } from '../engine/snapshot/read';
import type { CommandIo } from './checkCommand';
import { parseCommandLine, writeFileWhole } from './commandSupport';
import { formatOptionHelp, type OptionSpec } from './options';

export const SNAPSHOT_OPTIONS = [
  { name: 'db', kind: 'string', value: 'URL', help: 'the database to read (a read-only role is enough; default: DATABASE_URL, PG* variables)' },
  { name: 'out', kind: 'string', value: 'FILE', help: 'write the snapshot to FILE (whole, or not at all) instead of stdout' },
  { name: 'with-values', kind: 'boolean', help: 'keep the most common values and histogram bounds of every column\n(default: only of columns whose values identify no one; see docs/production-snapshot.md)' },
  { name: 'max-statements', kind: 'string', value: 'N', default: '500', help: 'keep the N pg_stat_statements entries with the most total time (default 500)' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

export const SNAPSHOT_USAGE = `Usage: pglens snapshot --db URL [--out FILE] [--with-values]

Reads, in one read-only transaction with timeouts, the statistics the planner works from (server version and
planner settings; each table's and index's size and row estimate; each column's pg_stats) and, when the
extension is installed, pg_stat_statements: never a row of a table. The JSON is documented and versioned
(docs/production-snapshot.md); "pglens top", "pglens check --snapshot" and the editor read it.

Options:
${formatOptionHelp(SNAPSHOT_OPTIONS)}`;

/** Catalogue reads on a big database take longer than planning one statement: these limits, not pglens.json's. */
const SNAPSHOT_LIMITS = { statementTimeoutMs: 30_000, lockTimeoutMs: 1_000 };

export async function runSnapshotCommand(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(argv, SNAPSHOT_OPTIONS, 'snapshot', SNAPSHOT_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 0) return usage(io, `unexpected argument "${positionals[0]}"`);
  const maxStatements = Number(values['max-statements']);
  if (!Number.isInteger(maxStatements) || maxStatements < 0) return usage(io, `--max-statements takes a whole number, got "${values['max-statements']}"`);
  const { url } = resolveDatabaseUrl({ cliUrl: values.db, env: io.env });
  if (!url) return usage(io, 'no database: give --db URL (or DATABASE_URL, PGHOST/PGDATABASE)');

  let text: string;
  try {
    const database = await connectPostgres(url, { maxConnections: 1, sessionLimits: SNAPSHOT_LIMITS });
    try {
      const snapshot = await readProductionSnapshot(database, { withValues: values['with-values'], limits: SNAPSHOT_LIMITS, maxStatements });
      text = serializeSnapshot(snapshot);
      if (values.out) io.stderr.write(`pglens: ${snapshot.relations.length} relations, ${snapshot.statements.entries.length} statements${snapshot.statements.available ? '' : ` (${snapshot.statements.note})`}; values of ${snapshot.privacy.valuesDropped.length} columns left out\n`);
    } finally {
      await database.close().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || isDatabaseFailure(error) || typeof (error as { code?: unknown }).code === 'string') {
      io.stderr.write(`pglens: snapshot failed: ${(error as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    throw error;
  }
  if (!values.out) {
    io.stdout.write(text);
    return 0;
  }
  const target = path.resolve(io.cwd, values.out);
  try {
    writeFileWhole(target, text);
  } catch (error) {
    io.stderr.write(`pglens: cannot write ${values.out}: ${(error as Error).message}\n`);
    return 2;
  }
  return 0;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`pglens snapshot: ${message}\n\n${SNAPSHOT_USAGE}`);
  return 2;
}

// `pglens locks FILE... [--format text|json] [--db URL]`: which lock each statement takes, on which table, and
// what it blocks. Exit codes: 0 done, 2 bad usage, a missing file or an unreachable database (one line on stderr).

import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DatabaseUnavailableError, withReadOnlyTransaction } from '../engine/db/client';
import { connectPostgres } from '../engine/db/postgres';
import { loadSchemaFacts, type SchemaFacts } from '../engine/db/schemaFacts';
import { formatLockReportJson, formatLockReportText, lockReportForFiles } from '../engine/locks/report';

/** The schema read of `locks --db`: a large catalogue gets 10 s, a lock held elsewhere 100 ms. */
const SCHEMA_READ_LIMITS = { statementTimeoutMs: 10_000, lockTimeoutMs: 100 };

export interface LocksCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const LOCKS_USAGE = `Usage: pglens locks FILE... [options]

Prints, for every SQL statement of the files (.sql, and SQL found in TS/JS), the tables it locks and in which mode
(PostgreSQL's pg_locks names), whether it rewrites or scans a table while holding the lock, and what that blocks.

Options:
  --format FORMAT   text (default) or json
  --db URL          PostgreSQL connection URL: adds table sizes, index owners, column types and the server version
  -h, --help        this help
`;

export async function runLocksCommand(argv: string[], io: LocksCommandIo): Promise<number> {
  let values: { format?: string; db?: string; help?: boolean };
  let files: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    values = parsed.values as typeof values;
    files = parsed.positionals;
  } catch (error) {
    io.stderr.write(`pglens locks: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(LOCKS_USAGE);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr.write(`pglens locks: unknown format "${format}" (use text or json)\n`);
    return 2;
  }
  if (files.length === 0) {
    io.stderr.write(`pglens locks: no files given\n\n${LOCKS_USAGE}`);
    return 2;
  }
  for (const file of files) {
    if (!existsSync(file)) {
      io.stderr.write(`pglens locks: no such file: ${file}\n`);
      return 2;
    }
    if (!statSync(file).isFile()) {
      io.stderr.write(`pglens locks: not a file: ${file}\n`);
      return 2;
    }
  }

  let schema: SchemaFacts | undefined;
  let serverVersionNum: number | undefined;
  if (values.db) {
    try {
      const client = await connectPostgres(values.db, { maxConnections: 1 });
      try {
        serverVersionNum = client.info.serverVersionNum;
        // Catalogue reads only, under timeouts: a lock held on some table must not make this wait (docs/security.md).
        schema = await withReadOnlyTransaction(client, SCHEMA_READ_LIMITS, (session) => loadSchemaFacts(session)).catch((error: Error) => {
          // The lock report stands without table sizes: say what is missing, and go on.
          if (error instanceof DatabaseUnavailableError) throw error;
          io.stderr.write(`pglens: table sizes unknown: the schema could not be read (${error.message.split('\n')[0]})\n`);
          return undefined;
        });
      } finally {
        await client.close();
      }
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        io.stderr.write(`pglens: ${error.message}\n`);
        return 2;
      }
      io.stderr.write(`pglens: cannot read the schema: ${(error as Error).message}\n`);
      return 2;
    }
  }

  const entries = await lockReportForFiles(files, { schema, serverVersionNum, onSkip: (file, reason) => io.stderr.write(`pglens locks: ${file}: skipped: ${reason}\n`) });
  io.stdout.write(format === 'json' ? formatLockReportJson(entries) : formatLockReportText(entries));
  return 0;
}

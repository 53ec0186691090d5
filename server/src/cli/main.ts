// The `pglens` command. Subcommands: check (plans and rules), locks (what each statement locks).

import { runCheckCommand, type CommandIo } from './checkCommand';
import { runLocksCommand } from './locksCommand';

declare const PGLENS_VERSION: string | undefined;
export const TOOL_VERSION = typeof PGLENS_VERSION === 'string' ? PGLENS_VERSION : '0.0.0-dev';

const USAGE = `pglens ${TOOL_VERSION}: PostgreSQL query-performance feedback where the code is written.

Usage:
  pglens check [paths...] [--db URL] [--config FILE] [--format stylish|json|sarif] [--max-warnings N] [--verbose]
  pglens locks FILE... [--format text|json] [--db URL]
  pglens --version

Run "pglens <command> --help" for a command's options.
`;

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check':
      return runCheckCommand(rest, io, TOOL_VERSION);
    case 'locks':
      return runLocksCommand(rest, io);
    case '--version':
    case '-v':
      io.stdout.write(`${TOOL_VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr.write(`pglens: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

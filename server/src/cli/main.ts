// The `pglens` command. Subcommands: check (plans and rules), locks (what each statement locks).

import type { CommandIo } from './checkCommand';
import { closestName } from '../engine/closestName';
import { redactSecrets, rememberSecret, rememberUrlSecrets } from '../engine/redact';
import { redactedStream } from './redactedOutput';

declare const PGLENS_VERSION: string | undefined;
export const TOOL_VERSION = typeof PGLENS_VERSION === 'string' ? PGLENS_VERSION : '0.0.0-dev';

/**
 * The commands: name, the synopsis --help shows, and how to run it. A command's module is loaded only when it runs
 * (`pglens --help` and `pglens --version` load none of them). Add a command here; its options live in its own table
 * (see options.ts).
 */
const COMMANDS: ReadonlyArray<{ name: string; synopsis: string; run: (argv: string[], io: CommandIo) => Promise<number> }> = [
  {
    name: 'check',
    synopsis: 'pglens check [paths...] [--db URL] [--config FILE] [--format stylish|json|sarif] [--max-warnings N] [--verbose]',
    run: (argv, io) => (require('./checkCommand') as typeof import('./checkCommand')).runCheckCommand(argv, io, TOOL_VERSION),
  },
  {
    name: 'locks',
    synopsis: 'pglens locks PATH... [--format text|json|sarif] [--db URL] [--config FILE]',
    run: (argv, io) => (require('./locksCommand') as typeof import('./locksCommand')).runLocksCommand(argv, io, TOOL_VERSION),
  },
  {
    name: 'baseline',
    synopsis: 'pglens baseline [paths...] [--out pglens-baseline.json] [--db URL] [--config FILE]',
    run: (argv, io) => (require('./baselineCommand') as typeof import('./baselineCommand')).runBaselineCommand(argv, io),
  },
  {
    name: 'snapshot',
    synopsis: 'pglens snapshot --db URL [--out FILE] [--with-values]',
    run: (argv, io) => (require('./snapshotCommand') as typeof import('./snapshotCommand')).runSnapshotCommand(argv, io),
  },
  {
    name: 'top',
    synopsis: 'pglens top [paths...] [--snapshot FILE | --db URL] [--limit N] [--format text|json]',
    run: (argv, io) => (require('./topCommand') as typeof import('./topCommand')).runTopCommand(argv, io),
  },
  {
    name: 'init',
    synopsis: 'pglens init [--env NAME]     (or pglens --init: writes a commented pglens.json for this project)',
    run: (argv, io) => (require('./initCommand') as typeof import('./initCommand')).runInitCommand(argv, io),
  },
];

const USAGE = `pglens ${TOOL_VERSION}: PostgreSQL query-performance feedback where the code is written.

Usage:
${COMMANDS.map((command) => `  ${command.synopsis}\n`).join('')}  pglens --version

Run "pglens <command> --help" for a command's options.
`;

export async function main(argv: string[], given: CommandIo): Promise<number> {
  // The passwords of this run are known before anything can print: --db, DATABASE_URL, PGPASSWORD (a pglens.json URL
  // is remembered when it is connected to).
  argv.forEach((arg, i) => {
    if (arg === '--db') rememberUrlSecrets(argv[i + 1]);
    else if (arg.startsWith('--db=')) rememberUrlSecrets(arg.slice('--db='.length));
  });
  rememberUrlSecrets(given.env.DATABASE_URL);
  rememberSecret(given.env.PGPASSWORD);
  const stdout = redactedStream(given.stdout, { wholeWrites: false });
  const stderr = redactedStream(given.stderr, { wholeWrites: true });
  try {
    return await run(argv, { ...given, stdout, stderr });
  } catch (error) {
    // index.ts prints an unexpected error's message (and with PGLENS_DEBUG its stack): without the secrets too.
    if (error instanceof Error) {
      error.message = redactSecrets(error.message);
      if (error.stack) error.stack = redactSecrets(error.stack);
    }
    throw error;
  } finally {
    stdout.flush();
  }
}

async function run(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  // ESLint's spelling of it: `pglens --init` is `pglens init`.
  const known = COMMANDS.find((candidate) => candidate.name === (command === '--init' ? 'init' : command));
  if (known) return known.run(rest, io);
  switch (command) {
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
    default: {
      const suggestion = closestName(command, COMMANDS.map((candidate) => candidate.name));
      io.stderr.write(`pglens: unknown command "${command}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}\n\n${USAGE}`);
      return 2;
    }
  }
}

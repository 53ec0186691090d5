// Entry point of the bundled CLI (out/cli.js): runs `pglens` with this process's arguments.

import { redactSecrets } from '../engine/redact';
import { useCompactHeap } from '../engine/v8Tuning';
import { main } from './main';
import type { CommandIo } from './checkCommand';

useCompactHeap();
// Last line of defence: an error event or rejection that escaped every handler ends the run with one line and exit 2,
// never a stack trace (PGLENS_DEBUG shows it).
const fatal = (error: unknown) => {
  process.stderr.write(redactSecrets(`pglens: internal error: ${(error as Error)?.message ?? String(error)}\n`));
  if (process.env.PGLENS_DEBUG) process.stderr.write(redactSecrets(`${(error as Error)?.stack}\n`));
  process.exit(2);
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
const io: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    // Unexpected: still one line for the person; the stack only when asked for.
    process.stderr.write(`pglens: internal error: ${error.message}\n`);
    if (process.env.PGLENS_DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 2;
  },
);


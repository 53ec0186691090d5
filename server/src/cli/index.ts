// Entry point of the bundled CLI (out/cli.js): runs `pglens` with this process's arguments.

import { useCompactHeap } from '../engine/v8Tuning';
import { main } from './main';
import type { CommandIo } from './checkCommand';

useCompactHeap();
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


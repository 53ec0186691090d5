// What the small commands (baseline, snapshot, top) share: reading their command line the same way and writing
// their output file whole.

import * as fs from 'node:fs';
import { ConfigError } from '../engine/config';
import { DatabaseUnavailableError } from '../engine/db/client';
import { ChangedSinceError } from '../engine/migrationScope';
import { SnapshotFileError } from '../engine/snapshot/format';
import type { CommandIo } from './checkCommand';
import { OptionError, parseOptions, type OptionSpec, type ParsedCommandLine } from './options';

/**
 * Parses `argv` for `pglens <command>`: bad usage prints "pglens <command>: message" and the usage text (exit 2),
 * --help prints the usage text (exit 0). Returns the parsed line, or the exit code when the command is done.
 */
export function parseCommandLine<T extends readonly OptionSpec[]>(argv: readonly string[], specs: T, command: string, usageText: string, io: CommandIo): ParsedCommandLine<T> | number {
  let parsed: ParsedCommandLine<T>;
  try {
    parsed = parseOptions(argv, specs);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    io.stderr.write(`pglens ${command}: ${error.message}\n\n${usageText}`);
    return 2;
  }
  if ((parsed.values as Record<string, unknown>).help) {
    io.stdout.write(usageText);
    return 0;
  }
  return parsed;
}

/** Writes beside `target` and renames over it, so that a reader (git, the next check) never sees half a file. */
export function writeFileWhole(target: string, text: string): void {
  const partial = `${target}.${process.pid}.partial`;
  try {
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, target);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * The one line a command prints (after "pglens: ", exit 2) when the workspace cannot be opened for a reason the
 * user can fix: no or a bad pglens.json, no database, a bad --changed-since or snapshot file. Anything else: undefined.
 */
export function workspaceOpenProblem(error: unknown): string | undefined {
  if (error instanceof ConfigError) return error.problem === 'config file not found' ? `config file not found: ${error.file}` : `invalid config: ${error.message}`;
  if (error instanceof ChangedSinceError || error instanceof SnapshotFileError || error instanceof DatabaseUnavailableError) return error.message;
  return undefined;
}

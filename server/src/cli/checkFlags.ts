// What `pglens check`'s output flags mean: colour (--color/--no-color, NO_COLOR, FORCE_COLOR), --rule id:severity,
// --output-file (written whole or not at all), progress on a stderr that is not a terminal, and paths that name no
// file pglens checks.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { closestName } from '../engine/closestName';
import { parseSeverity, type RuleSetting } from '../engine/config';
import { allRuleMetas } from '../engine/rules/index';
import { isKnownSourceFile, MissingPathError } from '../engine/workspace';
import { writePieces } from './formatters/streamJson';
import { OptionError } from './options';

/**
 * Whether stylish output is coloured: --color/--no-color first, then FORCE_COLOR (any value but "0" and "false"),
 * then NO_COLOR (any non-empty value, https://no-color.org), then whether the report goes to a terminal.
 */
export function useColor(flag: boolean | undefined, env: NodeJS.ProcessEnv, toTerminal: boolean): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  if (env.NO_COLOR) return false;
  return toTerminal;
}

/** `--rule id:severity` (repeatable): severities over pglens.json's. Unknown ids and severities are usage errors. */
export function ruleOverrides(values: readonly string[]): Record<string, RuleSetting> | undefined {
  if (values.length === 0) return undefined;
  const known = allRuleMetas().map((meta) => meta.id);
  const rules: Record<string, RuleSetting> = {};
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    if (colon <= 0) throw new OptionError(`--rule takes ID:SEVERITY (e.g. large-sort:off), got "${value}"`);
    const id = value.slice(0, colon);
    const severity = parseSeverity(value.slice(colon + 1));
    if (!known.includes(id)) {
      const suggestion = closestName(id, known);
      throw new OptionError(`--rule: unknown rule "${id}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    }
    if (!severity) throw new OptionError(`--rule ${id}: severity must be error, warning, info, hint or off, got "${value.slice(colon + 1)}"`);
    rules[id] = { severity };
  }
  return rules;
}

/**
 * Writes the report to `file` whole: into a temporary file beside it, renamed over it once complete, so a failed
 * run never leaves half a report where CI looks for one.
 */
export async function writeOutputFile(file: string, pieces: Iterable<string>): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const stream = fs.createWriteStream(temporary);
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    await writePieces(stream, pieces);
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
    fs.renameSync(temporary, file);
  } catch (error) {
    stream.destroy();
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/** The folder --output-file would be written into, checked before the run: a typo fails at once, not at the end. */
export function outputFileProblem(file: string): string | undefined {
  const folder = path.dirname(file);
  try {
    if (!fs.statSync(folder).isDirectory()) return `--output-file: ${folder} is not a folder`;
  } catch {
    return `--output-file: no such folder: ${folder}`;
  }
  try {
    if (fs.statSync(file).isDirectory()) return `--output-file: ${file} is a folder`;
  } catch {
    // does not exist yet: fine
  }
  return undefined;
}

/**
 * Progress for a stderr that is not a terminal (a CI log): one line at most every `intervalMs`, so that a long run
 * shows it is alive without flooding the log. A terminal gets the redrawn line instead.
 */
export function periodicProgress(write: (line: string) => void, intervalMs = 5000, now: () => number = Date.now): (message: string) => void {
  let last = now();
  return (message: string) => {
    if (!message || now() - last < intervalMs) return;
    last = now();
    write(`${message}\n`);
  };
}

/**
 * Paths named on the command line that do not exist or are files pglens does not check (a .py, a .d.ts): a message
 * each. Found before the workspace opens, so that a typo fails at once, not after building the embedded database.
 */
export function unsupportedFiles(targets: readonly string[]): string[] {
  const problems: string[] = [];
  for (const target of targets) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(target);
    } catch {
      problems.push(new MissingPathError(target).message);
      continue;
    }
    if (!stat.isDirectory() && !isKnownSourceFile(target)) {
      problems.push(`${target}: not a file pglens checks (.sql, .ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs; not .d.ts)`);
    }
  }
  return problems;
}

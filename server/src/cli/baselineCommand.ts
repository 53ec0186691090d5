// `pglens baseline [paths...] [--out pglens-baseline.json]`: records every checked statement's plan (shape, cost,
// rows), a migration statement's locks and the findings each already has, for `pglens check --baseline` to compare
// a later run against. Exit codes: 0 written, 2 bad usage, bad config, no database, or a database that failed to
// plan some statements (a baseline without them would hide their regressions): then nothing is written.

import * as path from 'node:path';
import { displayPath } from '../engine/analyze';
import { recordBaseline } from '../engine/baseline/collect';
import { serializeBaseline } from '../engine/baseline/model';
import { schemaProblemLine } from '../engine/schemaCoverage';
import { MissingPathError, openWorkspace, type Workspace } from '../engine/workspace';
import type { CommandIo } from './checkCommand';
import { parseCommandLine, workspaceOpenProblem, writeFileWhole } from './commandSupport';
import { formatOptionHelp, type OptionSpec } from './options';

export const BASELINE_OPTIONS = [
  { name: 'out', kind: 'string', value: 'FILE', help: 'where to write it (default: pglens-baseline.json in the workspace root)' },
  { name: 'db', kind: 'string', value: 'URL', help: 'PostgreSQL connection URL (default: as for pglens check; with none, the embedded database)' },
  { name: 'config', kind: 'string', value: 'FILE', help: 'pglens.json to use (default: found from the current folder upwards)' },
  { name: 'stdout', kind: 'boolean', help: 'print the baseline instead of writing the file' },
  { name: 'allow-incomplete-schema', kind: 'boolean', help: 'write it even when the embedded database lacks most tables the code names' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

export const BASELINE_USAGE = `Usage: pglens baseline [paths...] [--out pglens-baseline.json]

Plans every statement pglens checks and records, sorted and without timestamps so that it diffs well in git:
a key per statement (file, enclosing function, fingerprint), the plan's shape, estimated cost and rows, the
locks of migration statements, the findings each statement has, and the database the plans came from.
Commit it; "pglens check --baseline pglens-baseline.json" then reports what a change makes worse
(docs/ci.md).

Options:
${formatOptionHelp(BASELINE_OPTIONS)}`;

export async function runBaselineCommand(argv: string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandLine(argv, BASELINE_OPTIONS, 'baseline', BASELINE_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const targets = positionals.length > 0 ? positionals.map((p) => path.resolve(io.cwd, p)) : [io.cwd];
  let workspace: Workspace;
  try {
    workspace = await openWorkspace(targets[0], {
      cwd: io.cwd,
      configFile: values.config,
      databaseUrl: values.db,
      env: io.env,
      allowEmbedded: true,
      onProgress: (message) => io.stderr.write(`pglens: ${message}\n`),
    });
  } catch (error) {
    const problem = workspaceOpenProblem(error);
    if (problem === undefined) throw error;
    return failure(io, problem);
  }
  try {
    if (!workspace.database) return failure(io, 'no database to plan against (give --db URL, or let pglens build the embedded database)');
    let files: string[];
    try {
      files = workspace.listFiles(positionals.length > 0 ? positionals : ['.'], io.cwd);
    } catch (error) {
      if (error instanceof MissingPathError) return failure(io, error.message);
      throw error;
    }
    workspace.setRunFiles(files);
    const recorded = await recordBaseline(workspace, files);
    for (const { file, reason } of recorded.unreadable) io.stderr.write(`pglens: ${displayPath(file, workspace.root)}: skipped: ${reason}\n`);
    if (recorded.databaseFailures.length > 0) {
      const first = recorded.databaseFailures[0];
      return failure(io, `${recorded.databaseFailures.length} statement(s) were not planned because the database failed (first: ${displayPath(first.file, workspace.root)}:${first.line}: ${first.reason}); no baseline written`);
    }
    const assessment = await workspace.engine.schemaAssessment();
    if (assessment && !assessment.trusted && !values['allow-incomplete-schema']) return failure(io, `${schemaProblemLine(assessment, 'cli')}; no baseline written`);
    const text = serializeBaseline(recorded.baseline);
    if (values.stdout) {
      io.stdout.write(text);
      return 0;
    }
    const target = values.out ? path.resolve(io.cwd, values.out) : path.join(workspace.root, 'pglens-baseline.json');
    try {
      writeFileWhole(target, text);
    } catch (error) {
      return failure(io, `cannot write ${displayPath(target, io.cwd)}: ${(error as Error).message}`);
    }
    const planned = recorded.baseline.statements.filter((s) => s.plan).length;
    io.stderr.write(`pglens: ${displayPath(target, io.cwd)}: ${recorded.baseline.statements.length} statements (${planned} planned) from ${files.length} files, ${recorded.baseline.database?.kind ?? 'no'} database\n`);
    return 0;
  } finally {
    await workspace.close();
  }
}

function failure(io: CommandIo, message: string): number {
  io.stderr.write(`pglens: ${message}\n`);
  return 2;
}

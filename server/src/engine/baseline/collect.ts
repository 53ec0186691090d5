// `pglens baseline`: every file analysed once, and what each statement's plan looks like recorded.

import { readWorkspaceTextFile } from '../files';
import type { Workspace } from '../workspace';
import { BASELINE_FORMAT, type BaselineFile } from './model';
import { baselineDatabaseOf, statementsOfFile, type CurrentStatement } from './record';

export interface RecordedBaseline {
  baseline: BaselineFile;
  /** Statements the database failed to plan (it went away, a timeout): a baseline without them would be wrong. */
  databaseFailures: Array<{ file: string; line: number; reason: string }>;
  /** Files that could not be read (a FIFO, too large, a link out of the workspace), with why. */
  unreadable: Array<{ file: string; reason: string }>;
}

/** Analyses the files (a few at a time: the database pool bounds the EXPLAINs anyway) and records their statements. */
export async function recordBaseline(workspace: Workspace, files: string[], onProgress: (done: number, total: number) => void = () => undefined): Promise<RecordedBaseline> {
  const statements: CurrentStatement[] = [];
  const databaseFailures: RecordedBaseline['databaseFailures'] = [];
  const unreadable: RecordedBaseline['unreadable'] = [];
  const queue = [...files];
  let done = 0;
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const read = readWorkspaceTextFile(file, { root: workspace.root, maxBytes: workspace.config.files.maxBytes });
      if (!read.ok) {
        unreadable.push({ file, reason: read.reason });
        continue;
      }
      const analysis = await workspace.engine.analyzeFile(file, read.text);
      const recorded = statementsOfFile(analysis, read.text, { root: workspace.root, isMigration: workspace.migrationContextFor(file, read.text).isMigration });
      statements.push(...recorded);
      analysis.statements.forEach((analysed, index) => {
        if (analysed.databaseFailure) databaseFailures.push({ file, line: recorded[index]?.line ?? 1, reason: analysed.databaseFailure });
      });
      onProgress(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, Math.max(1, files.length)) }, worker));
  const { config, database } = workspace;
  const limits = { statementTimeoutMs: config.database.statementTimeoutMs, lockTimeoutMs: config.database.lockTimeoutMs };
  return {
    baseline: { pglensBaseline: BASELINE_FORMAT, database: await baselineDatabaseOf(database, limits), statements: statements.map(storedPart) },
    databaseFailures: databaseFailures.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
    unreadable,
  };
}

/** What the file keeps of a statement: not where it is now (lines move with every edit above it). */
export function storedPart(statement: CurrentStatement): BaselineFile['statements'][number] {
  const { absoluteFile: _file, line: _line, range: _range, fileStart: _start, fileEnd: _end, ...stored } = statement;
  return stored;
}

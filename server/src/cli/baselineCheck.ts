// `pglens check --baseline FILE`: the check command's side of the comparison with a committed baseline. It reads the
// file, narrows the files with --changed-since, records each analysed file's statements and, at the end, adds the
// plan-regression findings and says which findings the baseline already knew (those do not fail the run).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileAnalysis } from '../engine/analyze';
import { compareWithBaseline, knownFindings, type BaselineComparison } from '../engine/baseline/compare';
import { BaselineFileError, parseBaseline, type BaselineFile } from '../engine/baseline/model';
import { baselineDatabaseOf, statementsOfFile, type CurrentStatement } from '../engine/baseline/record';
import { filesToRecheck } from '../engine/baseline/scope';
import { planRegressionMeta, regressionOptions } from '../engine/rules/baseline/plan-regression';
import type { Finding } from '../engine/types';
import type { Workspace } from '../engine/workspace';

export class BaselineCheck {
  private readonly current: CurrentStatement[] = [];
  private readonly checked = new Set<string>();

  private constructor(
    readonly file: string,
    readonly shownAs: string,
    readonly baseline: BaselineFile,
  ) {}

  /** Reads the baseline file; BaselineFileError (one line) when it is missing or not a baseline. */
  static load(given: string, cwd: string): BaselineCheck {
    const file = path.resolve(cwd, given);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new BaselineFileError(code === 'ENOENT' ? `baseline file not found: ${given} (write one with "pglens baseline")` : `cannot read ${given}: ${(error as Error).message}`);
    }
    return new BaselineCheck(file, given, parseBaseline(text, given));
  }

  /** The files to analyse: all of them, or with --changed-since those a change can have moved the plans of. */
  async scope(files: string[], workspace: Workspace, log: (message: string) => void): Promise<string[]> {
    if (!workspace.changedFiles) return files;
    const scope = await filesToRecheck(files, this.baseline, workspace.changedFiles, { root: workspace.root, baselineFile: this.file, maxBytes: workspace.config.files.maxBytes });
    if (scope.everything) log(`--changed-since with --baseline: every file is checked (${scope.everything})`);
    else log(`--changed-since with --baseline: ${scope.files.length} of ${files.length} files checked${scope.schemaNames.length > 0 ? ` (schema changes name ${scope.schemaNames.join(', ')})` : ''}`);
    return scope.files;
  }

  /** One analysed file: its statements, for the comparison at the end. */
  add(analysis: FileAnalysis, text: string, workspace: Workspace): void {
    this.checked.add(path.resolve(analysis.file));
    this.current.push(...statementsOfFile(analysis, text, { root: workspace.root, isMigration: workspace.migrationContextFor(analysis.file, text).isMigration }));
  }

  /**
   * Compares, appends the regression findings to `findings` and returns the comparison with the findings that the
   * baseline already knew (reported, but not counted for the exit code).
   */
  async compare(workspace: Workspace, findings: Finding[]): Promise<{ comparison: BaselineComparison; known: Set<Finding> }> {
    const { config, database } = workspace;
    const setting = config.rules[planRegressionMeta.id];
    const after = await baselineDatabaseOf(database, { statementTimeoutMs: config.database.statementTimeoutMs, lockTimeoutMs: config.database.lockTimeoutMs });
    const comparison = compareWithBaseline(this.baseline, this.current, after, {
      baselineFile: this.shownAs,
      root: workspace.root,
      regression: regressionOptions(setting?.options),
      severity: setting?.severity ?? planRegressionMeta.defaultSeverity,
      checkedFiles: this.checked,
    });
    findings.push(...comparison.regressions.map((r) => r.finding));
    return { comparison, known: knownFindings(findings, this.current, comparison) };
  }
}

/** The lines the stylish output ends with: what the comparison found, counted, and what may move plans besides the code. */
export function baselineSummaryText(comparison: BaselineComparison): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `Baseline ${comparison.baselineFile}: ${comparison.regressions.length === 0 ? 'no regressions' : count(comparison.regressions.length, 'regression')}, ${count(comparison.improvements.length, 'improvement')}, ${count(comparison.newStatements.length, 'new statement')}, ${comparison.removed.length} removed, ${comparison.pairs.size} matched${comparison.carriedOver > 0 ? `, ${comparison.carriedOver} not affected by the change` : ''}`,
    ...comparison.improvements.map((i) => `  improved: ${i.statement.file}:${i.statement.line}${i.statement.name ? ` ${i.statement.name}` : ''}: ${i.changes.join('; ')}`),
    ...(comparison.databaseDifferences.length > 0 ? [`  plans may differ for reasons other than the code: ${comparison.databaseDifferences.join('; ')}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** The comparison in the JSON report: counts and the statements, without the findings (those are in `findings`). */
export function baselineJson(comparison: BaselineComparison): Record<string, unknown> {
  const where = (s: CurrentStatement) => ({ file: s.file, line: s.line, ...(s.name ? { name: s.name } : {}), key: s.key });
  return {
    file: comparison.baselineFile,
    regressions: comparison.regressions.length,
    improvements: comparison.improvements.map((i) => ({ ...where(i.statement), changes: i.changes })),
    newStatements: comparison.newStatements.map((s) => ({ ...where(s), ...(s.plan ? { cost: s.plan.cost } : {}) })),
    removed: comparison.removed.map((s) => s.key),
    matched: comparison.pairs.size,
    carriedOver: comparison.carriedOver,
    databaseDifferences: comparison.databaseDifferences,
  };
}

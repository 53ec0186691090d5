// What every output format is made from: the findings of a run, plus what they were measured against.

import type { Finding, SkippedSite } from '../../engine/types';

export interface CheckReport {
  /** Folder that paths in the output are relative to. */
  root: string;
  findings: Finding[];
  skipped: SkippedSite[];
  filesChecked: number;
  statementsChecked: number;
  statementsPlanned: number;
  /**
   * Statements the database failed to plan (unreachable, out of connections, a timeout, a lock held elsewhere): not
   * checked, so the run is not clean. `line` is 1-based.
   */
  notPlanned: Array<{ file: string; line: number; reason: string }>;
  database?: { kind: 'postgres' | 'embedded'; label: string; serverVersion: string; note?: string };
  toolVersion: string;
}

export function countBySeverity(findings: Finding[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const finding of findings) {
    if (finding.severity === 'error') errors++;
    else if (finding.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** The one line that says a run is incomplete because the database failed, or undefined when it did not. */
export function databaseFailureLine(report: CheckReport): string | undefined {
  const count = report.notPlanned.length;
  if (count === 0) return undefined;
  const first = report.notPlanned[0];
  return `${count} statement${count === 1 ? ' was' : 's were'} not planned because the database failed (first: ${first.reason})`;
}

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

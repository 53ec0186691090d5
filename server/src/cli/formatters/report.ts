// What every output format is made from: the findings of a run, plus what they were measured against.

import type { BaselineComparison } from '../../engine/baseline/compare';
import type { Finding, SkippedSite } from '../../engine/types';

/** A skipped site with where it starts (1-based line, 1-based UTF-16 column), as every format shows it. */
export type ReportedSkip = SkippedSite & { line: number; column: number };

/** Sites found, checked and skipped: a run's coverage. */
export interface SiteCounts {
  sites: number;
  checked: number;
  skipped: number;
}

export interface Coverage extends SiteCounts {
  /** By file kind: the file's extension (".ts", ".sql"). */
  byKind: Record<string, SiteCounts>;
  /** Skipped sites by reason, the reason without its particulars (see reasonKind), most frequent first. */
  byReason: Array<{ reason: string; count: number }>;
}

export interface CheckReport {
  /** Folder that paths in the output are relative to. */
  root: string;
  findings: Finding[];
  skipped: ReportedSkip[];
  coverage: Coverage;
  filesChecked: number;
  statementsChecked: number;
  statementsPlanned: number;
  /**
   * Statements the database failed to plan (unreachable, out of connections, a timeout, a lock held elsewhere): not
   * checked, so the run is not clean. `line` is 1-based.
   */
  notPlanned: Array<{ file: string; line: number; reason: string }>;
  /**
   * Statements PostgreSQL refused for a missing table, column, function or type while the embedded schema was not the
   * one the code runs against (see engine/schemaCoverage.ts): not findings, counted here with the one reason.
   */
  schemaGaps?: { count: number; reason: string };
  /** The one line saying the embedded database has too little schema to plan against (CLI exit 2). */
  schemaProblem?: string;
  database?: { kind: 'postgres' | 'embedded'; label: string; serverVersion: string; note?: string };
  /** With --baseline: what changed against the committed baseline (its regressions are among `findings` too). */
  baseline?: BaselineComparison;
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

/**
 * A skip reason without its particulars, for counting: what comes before the first name, quote, parenthesis or colon,
 * so "assembled SQL does not parse: syntax error at or near \"$1\"" counts as "assembled SQL does not parse" and
 * "SQL built at run time from `sql.join(ids, ...)`: ..." as "SQL built at run time from".
 */
export function reasonKind(reason: string): string {
  const kind = reason.replace(/^skipped: /, '');
  const cut = kind.search(/[`"(]|: /);
  // Numbers are particulars ("more than 16 branches"); digits inside a name are not ("H2 SQL").
  return (cut > 0 ? kind.slice(0, cut) : kind).replace(/(?<![A-Za-z_])\d+(\.\d+)?/g, 'N').trim();
}

/** Coverage of a run from each file's sites and the skips (skips count as sites not checked). */
export function coverageOf(files: Array<{ kind: string; checked: number }>, skipped: Array<{ file: string; reason: string }>, kindOf: (file: string) => string): Coverage {
  const byKind: Record<string, SiteCounts> = {};
  const slot = (kind: string) => (byKind[kind] ??= { sites: 0, checked: 0, skipped: 0 });
  for (const file of files) {
    slot(file.kind).checked += file.checked;
    slot(file.kind).sites += file.checked;
  }
  const reasons = new Map<string, number>();
  let skippedSites = 0;
  for (const skip of skipped) {
    const sites = sitesOfSkip(skip.reason);
    const counts = slot(kindOf(skip.file));
    counts.skipped += sites;
    counts.sites += sites;
    skippedSites += sites;
    const kind = reasonKind(skip.reason.replace(/ \(\d+ sites\)$/, ''));
    reasons.set(kind, (reasons.get(kind) ?? 0) + sites);
  }
  for (const [kind, counts] of Object.entries(byKind)) if (counts.sites === 0) delete byKind[kind];
  const checked = files.reduce((sum, file) => sum + file.checked, 0);
  return {
    sites: checked + skippedSites,
    checked,
    skipped: skippedSites,
    byKind,
    byReason: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

/**
 * How many sites one skip stands for: a file of another database's SQL is one skip line for all of its sites, which
 * says how many ("ClickHouse SQL (...): not checked (3 sites)").
 */
function sitesOfSkip(reason: string): number {
  const many = / \((\d+) sites\)$/.exec(reason);
  return many ? Number(many[1]) : 1;
}

/** "12 sites, 10 checked, 2 skipped" */
export function coverageLine(counts: SiteCounts): string {
  return `${counts.sites} site${counts.sites === 1 ? '' : 's'}, ${counts.checked} checked, ${counts.skipped} skipped`;
}

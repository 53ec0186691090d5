// `pglens check --baseline FILE`: this run's statements matched to the baseline's, and what changed.
//
// Matching, in order (each statement is matched once):
//   1. the same key: same file, same enclosing name, same fingerprint (and the same repeat number);
//   2. moved: the same name and fingerprint in another file (a function moved to another module);
//   3. edited: the same file and name with another fingerprint, when exactly one statement on each side has them
//      (the query of `ordersOfCustomer` was rewritten): its plan is compared with the old one;
//   4. renamed: the same fingerprint, when exactly one unmatched statement on each side has it.
// What is left is new (this run) or removed (baseline statements of files this run checked, or that are gone).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../types';
import {
  newStatementRegressions,
  pairImprovements,
  pairRegressions,
  planRegressionMeta,
  type Regression,
  type RegressionOptions,
} from '../rules/baseline/plan-regression';
import { ruleDocsUrl } from '../rules/rule';
import type { BaselineDatabase, BaselineFile, BaselineStatement } from './model';
import type { CurrentStatement } from './record';

export type MatchKind = 'same' | 'moved' | 'edited' | 'renamed';

export interface ReportedRegression {
  statement: CurrentStatement;
  before?: BaselineStatement;
  match?: MatchKind;
  regression: Regression;
  finding: Finding;
}

export interface BaselineComparison {
  /** The baseline file as given on the command line. */
  baselineFile: string;
  regressions: ReportedRegression[];
  improvements: Array<{ statement: CurrentStatement; before: BaselineStatement; changes: string[] }>;
  newStatements: CurrentStatement[];
  removed: BaselineStatement[];
  /** Statements of this run found in the baseline, with the one each was matched to. */
  pairs: Map<CurrentStatement, { before: BaselineStatement; match: MatchKind }>;
  /** Baseline statements of files this run did not check (`--changed-since`): kept as they were. */
  carriedOver: number;
  before: BaselineDatabase | null;
  after: BaselineDatabase | null;
  /** Why plans may differ for reasons other than the code: another database kind, version or planner setting. */
  databaseDifferences: string[];
}

export interface CompareOptions {
  baselineFile: string;
  root: string;
  regression: RegressionOptions;
  /** The rule's configured severity ('off' turns regressions into nothing but the report's lists). */
  severity: Finding['severity'] | 'off';
  /** Files (absolute) this run analysed; baseline statements of other files that still exist are carried over. */
  checkedFiles: Set<string>;
  exists?: (file: string) => boolean;
}

/** Matches this run's statements to the baseline's and judges each pair. */
export function compareWithBaseline(baseline: BaselineFile, current: CurrentStatement[], after: BaselineDatabase | null, options: CompareOptions): BaselineComparison {
  const exists = options.exists ?? ((file: string) => fs.existsSync(file));
  const inScope = (s: BaselineStatement) => {
    const absolute = path.resolve(options.root, s.file);
    return options.checkedFiles.has(absolute) || !exists(absolute);
  };
  const unmatched = new Set(baseline.statements);
  const pairs = new Map<CurrentStatement, { before: BaselineStatement; match: MatchKind }>();
  const byKey = new Map(baseline.statements.map((s) => [s.key, s]));
  for (const statement of current) {
    const before = byKey.get(statement.key);
    if (before && unmatched.has(before)) {
      pairs.set(statement, { before, match: 'same' });
      unmatched.delete(before);
    }
  }
  const matchBy = (match: MatchKind, keyOf: (s: BaselineStatement) => string | undefined, unique: boolean) => {
    const left = current.filter((s) => !pairs.has(s));
    const candidates = new Map<string, BaselineStatement[]>();
    for (const s of unmatched) {
      const key = keyOf(s);
      if (key !== undefined) candidates.set(key, [...(candidates.get(key) ?? []), s]);
    }
    const wanted = new Map<string, number>();
    for (const s of left) {
      const key = keyOf(s);
      if (key !== undefined) wanted.set(key, (wanted.get(key) ?? 0) + 1);
    }
    for (const statement of left) {
      const key = keyOf(statement);
      const found = key !== undefined ? candidates.get(key) : undefined;
      if (!found || found.length === 0 || (unique && (found.length !== 1 || wanted.get(key!) !== 1))) continue;
      const before = found.shift()!;
      pairs.set(statement, { before, match });
      unmatched.delete(before);
    }
  };
  matchBy('moved', (s) => (s.name !== undefined ? `${s.name}#${s.fingerprint}` : undefined), false);
  matchBy('edited', (s) => `${s.file}#${s.name ?? ''}#${s.kind}`, true);
  matchBy('renamed', (s) => s.fingerprint, true);

  const regressions: ReportedRegression[] = [];
  const improvements: BaselineComparison['improvements'] = [];
  const newStatements: CurrentStatement[] = [];
  for (const statement of current) {
    const pair = pairs.get(statement);
    if (!pair) {
      newStatements.push(statement);
      for (const regression of newStatementRegressions(statement, options.regression)) regressions.push(reported(statement, undefined, undefined, regression, options));
      continue;
    }
    for (const regression of pairRegressions(pair.before, statement, options.regression)) regressions.push(reported(statement, pair.before, pair.match, regression, options));
    const changes = pairImprovements(pair.before, statement, options.regression);
    if (changes.length > 0) improvements.push({ statement, before: pair.before, changes });
  }
  const removed = [...unmatched].filter(inScope);
  return {
    baselineFile: options.baselineFile,
    regressions,
    improvements,
    newStatements,
    removed,
    pairs,
    carriedOver: [...unmatched].length - removed.length,
    before: baseline.database,
    after,
    databaseDifferences: databaseDifferences(baseline.database, after),
  };
}

/**
 * Findings this run reports that the baseline already knew (the same rule on the same statement): a pull request
 * is not failed for what was there before it. Everything else (a finding on a new or edited statement, a new rule
 * on an old one, every plan-regression) counts.
 */
export function knownFindings(findings: Finding[], current: CurrentStatement[], comparison: BaselineComparison): Set<Finding> {
  const byFile = new Map<string, CurrentStatement[]>();
  for (const s of current) byFile.set(s.absoluteFile, [...(byFile.get(s.absoluteFile) ?? []), s]);
  const regressed = new Set(comparison.regressions.map((r) => r.finding));
  const known = new Set<Finding>();
  for (const finding of findings) {
    if (regressed.has(finding)) continue;
    const statement = byFile.get(finding.file)?.find((s) => finding.fileStart >= s.fileStart && finding.fileStart <= s.fileEnd);
    const before = statement ? comparison.pairs.get(statement)?.before : undefined;
    if (statement && before?.findings?.includes(finding.ruleId) && before.fingerprint === statement.fingerprint) known.add(finding);
  }
  return known;
}

function reported(statement: CurrentStatement, before: BaselineStatement | undefined, match: MatchKind | undefined, regression: Regression, options: CompareOptions): ReportedRegression {
  const severity: Finding['severity'] = options.severity === 'off' ? 'info' : regression.warningOnly && options.severity === 'error' ? 'warning' : options.severity;
  const details = [
    ...(regression.before !== undefined ? [{ kind: 'evidence' as const, text: `Before (${options.baselineFile}): ${regression.before}.` }] : []),
    { kind: 'evidence' as const, text: `Now: ${regression.after}.` },
    ...(match === 'moved' || match === 'renamed' ? [{ kind: 'note' as const, text: `Matched to the baseline's statement ${before!.key} (${match}).` }] : []),
    ...(match === 'edited' ? [{ kind: 'note' as const, text: 'The statement was edited since the baseline; compared with its earlier text in the same function.' }] : []),
  ];
  // Built without a type annotation and returned as a Finding: fields a newer Finding has (headline, details) are kept.
  const finding = {
    ruleId: planRegressionMeta.id,
    severity,
    category: planRegressionMeta.category,
    headline: regression.headline,
    messageId: regression.messageId,
    details,
    message: [regression.headline, ...details.map((d) => d.text)].join(' '),
    file: statement.absoluteFile,
    range: statement.range,
    fileStart: statement.fileStart,
    fileEnd: statement.fileEnd,
    docsUrl: ruleDocsUrl(planRegressionMeta.id),
    evidence: {
      kind: regression.kind,
      ...(regression.before !== undefined ? { before: regression.before } : {}),
      after: regression.after,
      baselineKey: before?.key ?? null,
      ...(before?.plan && statement.plan ? { planDiff: planDiff(before.plan.shape, statement.plan.shape) } : {}),
    },
  };
  return { statement, before, match, regression, finding: finding as Finding };
}

/** Where plans may differ for reasons other than the code. */
function databaseDifferences(before: BaselineDatabase | null, after: BaselineDatabase | null): string[] {
  if (!before || !after) return [];
  const differences: string[] = [];
  const a = (kind: string) => `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind}`;
  if (before.kind !== after.kind) differences.push(`the baseline was planned on ${a(before.kind)} database, this run on ${a(after.kind)} one`);
  if (before.serverMajor !== undefined && after.serverMajor !== undefined && before.serverMajor !== after.serverMajor) {
    differences.push(`PostgreSQL ${before.serverMajor} made the baseline, ${after.serverMajor} planned this run`);
  }
  const settings = new Set([...Object.keys(before.plannerSettings ?? {}), ...Object.keys(after.plannerSettings ?? {})]);
  for (const name of [...settings].sort()) {
    const was = before.plannerSettings?.[name];
    const now = after.plannerSettings?.[name];
    if (was !== undefined && now !== undefined && was !== now) differences.push(`${name} was ${was}, is ${now}`);
  }
  return differences;
}

/** The two plan shapes as a unified line diff ("  " same, "- " baseline only, "+ " this run only). */
export function planDiff(before: string[], after: string[]): string[] {
  // Longest common subsequence: plans are a few dozen lines.
  const table: number[][] = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) table[i][j] = before[i] === after[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      lines.push(`  ${before[i++]}`);
      j++;
    } else if (i < before.length && (j >= after.length || table[i + 1][j] >= table[i][j + 1])) lines.push(`- ${before[i++]}`);
    else lines.push(`+ ${after[j++]}`);
  }
  return lines;
}

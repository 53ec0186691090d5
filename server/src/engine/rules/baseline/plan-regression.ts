// plan-regression: what a change does to plans and locks, judged against the committed baseline
// (`pglens check --baseline FILE`). One rule with kinds, each a finding with before and after:
//   new-over-budget     a statement the baseline does not have costs more than newStatementMaxCost
//   cost-increase       the estimated cost grew by costFactor or more, to minCost or more
//   index-to-seq-scan   a relation read through an index is now read by a Seq Scan, on a table of largeTableRows
//   index-unused        an index the plan used is no longer used (and the relation is not sequentially scanned)
//   join-method         a join of the same relations changed method, with an input of largeTableRows rows
//   stronger-lock       a migration statement takes a stronger lock than before on a table of largeTableRows
// The comparison itself (which statement is which) is engine/baseline/compare.ts; this file decides what a pair of
// before/after is worth reporting.

import type { BaselineLock, BaselinePlan, BaselineStatement } from '../../baseline/model';
import { lockDisplayName, lockStrength, type LockMode } from '../../locks/lockModes';
import { formatCost, formatCount } from '../../plan/model';
import type { RuleMeta, RuleOptionValue } from '../rule';
import { fillMessageTemplate } from '../../findingText';

export const planRegressionMeta: RuleMeta = {
  id: 'plan-regression',
  description: 'A statement’s plan or lock got worse than in the committed baseline (pglens check --baseline).',
  defaultSeverity: 'error',
  category: 'performance',
  kind: 'plan',
  defaultOptions: { costFactor: 2, minCost: 1000, largeTableRows: 10000, newStatementMaxCost: 5000 },
  messages: {
    newOverBudget: 'New statement with estimated cost {{cost}}, over the {{budget}} budget for new statements.',
    newOverBudgetSeqScan: 'New statement with estimated cost {{cost}}, over the {{budget}} budget (Seq Scan on {{table}}, {{rows}} rows).',
    indexToSeqScan: '{{table}} is now read by a Seq Scan of {{rows}} rows instead of {{before}} (cost {{costBefore}} → {{costAfter}}).',
    indexUnused: 'The plan no longer uses index {{index}} on {{table}}.',
    indexUnusedNow: 'The plan no longer uses index {{index}} on {{table}} (now {{now}}).',
    costIncrease: 'Estimated cost up {{ratio}}: {{costBefore}} → {{costAfter}} (limit: {{costFactor}}x, from {{minCost}}).',
    joinMethod: 'The join of {{relations}} changed from {{before}} to {{after}} (inputs up to {{rows}} rows).',
    strongerLock: 'Takes {{lockMode}} on {{table}}, stronger than the {{before}} it took ({{rows}} rows).',
    newLock: 'New {{lockMode}} on {{table}} ({{rows}} rows).',
  },
};

/** A regression's headline: one of planRegressionMeta.messages filled with its data. */
function headlineOf(messageId: string, data: Record<string, string | number | undefined>): Pick<Regression, 'messageId' | 'data' | 'headline'> {
  return { messageId, data, headline: fillMessageTemplate(planRegressionMeta.id, planRegressionMeta.messages, messageId, data) };
}

export type RegressionKind = 'new-over-budget' | 'cost-increase' | 'index-to-seq-scan' | 'index-unused' | 'join-method' | 'stronger-lock';

export interface Regression {
  kind: RegressionKind;
  /** Which of planRegressionMeta.messages the headline is, and the data filling it. */
  messageId: string;
  data: Record<string, string | number | undefined>;
  /** One line: what changed, with the numbers. */
  headline: string;
  /** The evidence: before and after. */
  before?: string;
  after: string;
  /** A kind that is a warning whatever the rule's severity (a hint of trouble rather than proof of it). */
  warningOnly?: boolean;
}

export interface RegressionOptions {
  costFactor: number;
  minCost: number;
  largeTableRows: number;
  newStatementMaxCost: number;
}

export function regressionOptions(options: Record<string, RuleOptionValue> | undefined): RegressionOptions {
  const merged = { ...planRegressionMeta.defaultOptions, ...(options ?? {}) };
  return {
    costFactor: Number(merged.costFactor),
    minCost: Number(merged.minCost),
    largeTableRows: Number(merged.largeTableRows),
    newStatementMaxCost: Number(merged.newStatementMaxCost),
  };
}

const INDEX_SCANS = /^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/;

/** A statement the baseline does not have: reported when its estimated cost is over the budget for new statements. */
export function newStatementRegressions(after: BaselineStatement, options: RegressionOptions): Regression[] {
  const regressions: Regression[] = [];
  if (after.plan && options.newStatementMaxCost > 0 && after.plan.cost > options.newStatementMaxCost) {
    const seq = after.plan.scans.find((scan) => scan.node === 'Seq Scan' && (scan.tableRows ?? 0) >= options.largeTableRows);
    regressions.push({
      kind: 'new-over-budget',
      ...headlineOf(seq ? 'newOverBudgetSeqScan' : 'newOverBudget', {
        cost: formatCost(after.plan.cost),
        budget: formatCost(options.newStatementMaxCost),
        table: seq?.relation,
        rows: seq ? formatCount(seq.tableRows!) : undefined,
      }),
      after: planSummary(after.plan),
    });
  }
  regressions.push(...lockRegressions(undefined, after.locks, options));
  return regressions;
}

/** What got worse between the baseline's plan of a statement and this run's. */
export function pairRegressions(before: BaselineStatement, after: BaselineStatement, options: RegressionOptions): Regression[] {
  const regressions: Regression[] = [];
  const b = before.plan;
  const a = after.plan;
  if (b && a) {
    const seqNow = new Set<string>();
    for (const scan of a.scans) {
      if (scan.node !== 'Seq Scan') continue;
      const was = b.scans.find((old) => old.relation === scan.relation && INDEX_SCANS.test(old.node));
      const rows = scan.tableRows ?? was?.tableRows ?? 0;
      if (!was || rows < options.largeTableRows || seqNow.has(scan.relation)) continue;
      seqNow.add(scan.relation);
      regressions.push({
        kind: 'index-to-seq-scan',
        ...headlineOf('indexToSeqScan', {
          table: scan.relation,
          rows: formatCount(rows),
          before: `${withArticle(was.node)}${was.index ? ` using ${was.index}` : ''}`,
          costBefore: formatCost(b.cost),
          costAfter: formatCost(a.cost),
        }),
        before: `${was.node}${was.index ? ` using ${was.index}` : ''} on ${scan.relation}`,
        after: `Seq Scan on ${scan.relation}`,
      });
    }
    const usedNow = new Set(a.scans.map((scan) => scan.index).filter(Boolean));
    const reported = new Set<string>();
    for (const scan of b.scans) {
      if (!scan.index || usedNow.has(scan.index) || seqNow.has(scan.relation) || reported.has(scan.index)) continue;
      reported.add(scan.index);
      const instead = a.scans.find((now) => now.relation === scan.relation);
      regressions.push({
        kind: 'index-unused',
        ...headlineOf(instead ? 'indexUnusedNow' : 'indexUnused', {
          index: scan.index,
          table: scan.relation,
          now: instead ? `${instead.node}${instead.index ? ` using ${instead.index}` : ''}` : undefined,
        }),
        before: `${scan.node} using ${scan.index} on ${scan.relation}`,
        after: instead ? `${instead.node}${instead.index ? ` using ${instead.index}` : ''} on ${scan.relation}` : `no scan of ${scan.relation}`,
        warningOnly: true,
      });
    }
    // The cost of a scan that lost its index is said with that scan: one finding, not two, for one cause.
    if (a.cost >= b.cost * options.costFactor && a.cost >= options.minCost && seqNow.size === 0) {
      regressions.push({
        kind: 'cost-increase',
        ...headlineOf('costIncrease', {
          ratio: ratio(a.cost, b.cost),
          costBefore: formatCost(b.cost),
          costAfter: formatCost(a.cost),
          costFactor: options.costFactor,
          minCost: formatCost(options.minCost),
        }),
        before: planSummary(b),
        after: planSummary(a),
      });
    }
    for (const join of a.joins) {
      const was = b.joins.find((old) => old.relations.join(',') === join.relations.join(','));
      if (!was || was.method === join.method || Math.max(join.inputRows, was.inputRows) < options.largeTableRows) continue;
      regressions.push({
        kind: 'join-method',
        ...headlineOf('joinMethod', { relations: join.relations.join(', '), before: was.method, after: join.method, rows: formatCount(Math.max(join.inputRows, was.inputRows)) }),
        before: `${was.method} of ${was.relations.join(', ')}`,
        after: `${join.method} of ${join.relations.join(', ')}`,
        warningOnly: true,
      });
    }
  }
  regressions.push(...lockRegressions(before.locks, after.locks, options));
  return regressions;
}

/**
 * Locks of a migration statement stronger than before on a large table. A statement new to the baseline has no
 * before: a lock that blocks writes (SHARE and stronger) on a large table is reported.
 */
function lockRegressions(before: BaselineLock[] | undefined, after: BaselineLock[] | undefined, options: RegressionOptions): Regression[] {
  const regressions: Regression[] = [];
  for (const lock of after ?? []) {
    if ((lock.tableRows ?? 0) < options.largeTableRows) continue;
    const was = before?.find((old) => old.table === lock.table);
    const threshold: LockMode = before ? (was?.mode ?? 'AccessShareLock') : 'RowExclusiveLock';
    if (lockStrength(lock.mode) <= lockStrength(threshold)) continue;
    regressions.push({
      kind: 'stronger-lock',
      ...headlineOf(was ? 'strongerLock' : 'newLock', {
        lockMode: lockDisplayName(lock.mode),
        table: lock.table,
        before: was ? lockDisplayName(was.mode) : undefined,
        rows: formatCount(lock.tableRows!),
      }),
      ...(was ? { before: `${lockDisplayName(was.mode)} on ${lock.table}` } : {}),
      after: `${lockDisplayName(lock.mode)} on ${lock.table}`,
    });
  }
  return regressions;
}

/** What got better: cheaper by the same factor (from the same floor), or a sequential scan turned into an index scan. */
export function pairImprovements(before: BaselineStatement, after: BaselineStatement, options: RegressionOptions): string[] {
  const b = before.plan;
  const a = after.plan;
  if (!b || !a) return [];
  const better: string[] = [];
  for (const scan of a.scans) {
    if (!INDEX_SCANS.test(scan.node)) continue;
    const was = b.scans.find((old) => old.relation === scan.relation && old.node === 'Seq Scan');
    if (was && !a.scans.some((other) => other.relation === scan.relation && other.node === 'Seq Scan')) {
      better.push(`${scan.relation}: Seq Scan → ${scan.node}${scan.index ? ` using ${scan.index}` : ''}`);
    }
  }
  if (b.cost >= a.cost * options.costFactor && b.cost >= options.minCost) better.push(`estimated cost down ${ratio(b.cost, a.cost)}: ${formatCost(b.cost)} → ${formatCost(a.cost)}`);
  return better;
}

/** "cost 1,234, 10 rows: Seq Scan on orders" */
export function planSummary(plan: BaselinePlan): string {
  const scans = plan.scans.map((scan) => `${scan.node} on ${scan.relation}${scan.index ? ` using ${scan.index}` : ''}`);
  return `cost ${formatCost(plan.cost)}, ${formatCount(plan.rows)} rows${scans.length > 0 ? `: ${scans.join(', ')}` : ''}`;
}

function withArticle(word: string): string {
  return `${/^[AEIOU]/i.test(word) ? 'an' : 'a'} ${word}`;
}

function ratio(larger: number, smaller: number): string {
  if (smaller <= 0) return 'from 0';
  const value = larger / smaller;
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(1)}x`;
}

// Production runtime beside the code: a statement of the code and a pg_stat_statements entry are the same query when
// libpg_query gives their texts the same fingerprint. The fingerprint leaves out constants and `$n` parameters (so
// `WHERE id = $1` in the code matches `WHERE id = 42` sent by another client), the length of IN lists and
// `= ANY($1)`, whitespace, case and comments; it keeps everything else: another column, alias, order or join is another
// statement. docs/production-snapshot.md lists what matches and what does not.

import { fingerprintOf } from '../parse/libpgQuery';
import type { ProductionSnapshot, SnapshotStatement, SnapshotStatements } from './format';
import { snapshotDate } from './format';

/** A statement of the code, where it is written. */
export interface CodeStatement {
  /** As given (absolute). */
  file: string;
  /** 1-based line and column of the statement's first character. */
  line: number;
  column: number;
  fingerprint: string;
}

export interface RuntimeCost {
  calls: number;
  meanMs: number;
  totalMs: number;
  /** Of the database's whole statement time (pg_stat_statements' total of every statement): 0 to 1. */
  shareOfTime: number;
  /** "2026-12-03": when the snapshot was taken. */
  date: string;
  /**
   * Calls per minute over the period pg_stat_statements counted (from `statsReset` to when the numbers were read);
   * absent when that period is unknown (then `calls` is the total).
   */
  callsPerMinute?: number;
  /** Read by the language server's live mode (`production.url`) at `takenAt`, not from a snapshot file. */
  live?: { takenAt: string };
}

/** What RuntimeCosts needs: a snapshot, or what live mode read (statements only). */
export type RuntimeNumbers = Pick<ProductionSnapshot, 'takenAt'> & { statements: SnapshotStatements };

/** Shorter than this, a rate per minute says more about chance than about production. */
const MIN_RATE_PERIOD_MS = 60_000;

/** The fingerprint of a statement's text; undefined when libpg_query cannot fingerprint it. */
export function statementFingerprint(sql: string): string | undefined {
  try {
    return fingerprintOf(sql);
  } catch {
    return undefined;
  }
}

/** Runtime numbers by fingerprint, from a snapshot. */
export class RuntimeCosts {
  private readonly byFingerprint: Map<string, SnapshotStatement>;
  private readonly date: string;
  /** Minutes pg_stat_statements counted the calls over, when known. */
  private readonly periodMinutes: number | undefined;

  /** `source` 'live': numbers live mode just read (the notes say "live" and when). */
  constructor(
    readonly snapshot: RuntimeNumbers,
    readonly source: 'snapshot' | 'live' = 'snapshot',
  ) {
    this.byFingerprint = new Map(snapshot.statements.entries.map((entry) => [entry.fingerprint, entry]));
    this.date = snapshotDate(snapshot);
    const since = snapshot.statements.statsReset ? Date.parse(snapshot.statements.statsReset) : NaN;
    const period = Date.parse(snapshot.takenAt) - since;
    this.periodMinutes = Number.isFinite(period) && period >= MIN_RATE_PERIOD_MS ? period / 60_000 : undefined;
  }

  /** The numbers of the statement with this fingerprint. */
  costOfFingerprint(fingerprint: string): RuntimeCost | undefined {
    const entry = this.byFingerprint.get(fingerprint);
    if (!entry) return undefined;
    const total = this.snapshot.statements.totalMs;
    return {
      calls: entry.calls,
      meanMs: entry.meanMs,
      totalMs: entry.totalMs,
      shareOfTime: total > 0 ? entry.totalMs / total : 0,
      date: this.date,
      ...(this.periodMinutes !== undefined ? { callsPerMinute: entry.calls / this.periodMinutes } : {}),
      ...(this.source === 'live' ? { live: { takenAt: this.snapshot.takenAt } } : {}),
    };
  }

  /** The numbers of the statement whose text is `sql` (the code's, with `$n`), when production ran it. */
  costOf(sql: string): RuntimeCost | undefined {
    const fingerprint = statementFingerprint(sql);
    return fingerprint === undefined ? undefined : this.costOfFingerprint(fingerprint);
  }
}

/** "prod: 1,240 calls/min · mean 38 ms · 21% of DB time" (calls in all when the counting period is unknown). */
export function describeRuntimeCost(cost: RuntimeCost): string {
  const calls = cost.callsPerMinute !== undefined ? formatRate(cost.callsPerMinute) : `${WHOLE.format(cost.calls)} calls`;
  return `prod: ${calls} · mean ${formatMs(cost.meanMs)} · ${formatShare(cost.shareOfTime)} of DB time`;
}

/** "prod 21% of DB time": the label of a finding ordered by production impact. */
export function productionImpactLabel(cost: RuntimeCost): string {
  return `prod ${formatShare(cost.shareOfTime)} of DB time`;
}

/** "1,240 calls/min"; a rare statement per hour or per day ("3 calls/day"), never "0 calls/min". */
function formatRate(perMinute: number): string {
  const [rate, unit] = perMinute >= 1 ? [perMinute, 'min'] : perMinute * 60 >= 1 ? [perMinute * 60, 'h'] : [perMinute * 1440, 'day'];
  return `${(rate >= 100 ? WHOLE : ONE_DECIMAL).format(rate)} calls/${unit}`;
}

// Made once: toLocaleString builds a formatter per call (~0.1 ms), which a CodeLens request of 200 sites felt. Made on
// first use, not at load: the first Intl formatter of a process loads ICU's number data (~5% of a one-file check's
// start-up, which shows no runtime numbers).
let wholeFormat: Intl.NumberFormat | undefined;
let oneDecimalFormat: Intl.NumberFormat | undefined;
const WHOLE = { format: (value: number) => (wholeFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })).format(value) };
const ONE_DECIMAL = { format: (value: number) => (oneDecimalFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })).format(value) };

function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms >= 1 ? 1 : 2)} ms`;
}

function formatShare(share: number): string {
  const percent = share * 100;
  if (percent >= 10) return `${Math.round(percent)}%`;
  if (percent >= 0.1) return `${percent.toFixed(1)}%`;
  return percent > 0 ? '<0.1%' : '0%';
}

export interface TopStatement {
  entry: SnapshotStatement;
  shareOfTime: number;
  /** Where the code sends it (several places can send the same statement); empty: not found in the code. */
  sites: CodeStatement[];
}

/** The `limit` statements with the most total time, each with the places of the code that send it. */
export function topStatements(snapshot: ProductionSnapshot, code: CodeStatement[], limit: number): TopStatement[] {
  const sitesByFingerprint = new Map<string, CodeStatement[]>();
  for (const statement of code) {
    const list = sitesByFingerprint.get(statement.fingerprint) ?? [];
    // Variants of one conditional site share a place: listed once.
    if (!list.some((s) => s.file === statement.file && s.line === statement.line)) list.push(statement);
    sitesByFingerprint.set(statement.fingerprint, list);
  }
  const total = snapshot.statements.totalMs;
  return [...snapshot.statements.entries]
    .sort((a, b) => b.totalMs - a.totalMs || (a.fingerprint < b.fingerprint ? -1 : 1))
    .slice(0, limit)
    .map((entry) => ({ entry, shareOfTime: total > 0 ? entry.totalMs / total : 0, sites: sitesByFingerprint.get(entry.fingerprint) ?? [] }));
}

/** A finding's production impact: its statement's share of the database's time, and the label that says it. */
export interface ProductionImpact {
  shareOfTime: number;
  /** "prod 21% of DB time" */
  label: string;
}

/** What `addRuntimeCostNotes` needs of an analysis (engine/analyze.ts FileAnalysis). */
interface AnalysisWithStatements {
  findings: Array<{ fileStart: number; notes?: string[]; productionImpact?: ProductionImpact }>;
  statements: Array<{ statement: { text: string }; fileStart: number; fileEnd: number; runtimeCost?: RuntimeCost }>;
}

/**
 * Each statement production runs gets its numbers (`runtimeCost`: the editor's hover and CodeLens), and each finding
 * about it a note ("prod: 1,240 calls/min · mean 38 ms · 21% of DB time (statistics of 2026-12-01)": `check` prints it
 * under the finding, SARIF in the message) and its `productionImpact` (the order of findings). Done once per analysis
 * object and set of numbers: the editor re-uses analyses, and live mode brings new numbers, which replace the old ones.
 */
export function addRuntimeCostNotes(analysis: AnalysisWithStatements, costs: RuntimeCosts): void {
  if (annotatedWith.get(analysis) === costs) return;
  annotatedWith.set(analysis, costs);
  for (const analyzed of analysis.statements) analyzed.runtimeCost = costs.costOf(analyzed.statement.text);
  for (const finding of analysis.findings) {
    const previous = noteAdded.get(finding);
    if (previous !== undefined) finding.notes = (finding.notes ?? []).filter((note) => note !== previous);
    noteAdded.delete(finding);
    delete finding.productionImpact;
    const cost = analysis.statements.find((s) => finding.fileStart >= s.fileStart && finding.fileStart <= s.fileEnd)?.runtimeCost;
    if (!cost) continue;
    const note = runtimeCostNote(cost);
    finding.notes = [...(finding.notes ?? []), note];
    noteAdded.set(finding, note);
    finding.productionImpact = { shareOfTime: cost.shareOfTime, label: productionImpactLabel(cost) };
  }
}

const annotatedWith = new WeakMap<object, RuntimeCosts>();
const noteAdded = new WeakMap<object, string>();

/**
 * Findings about statements that cost production most first (by share of the database's time), the others after in
 * the order they had; without production numbers nothing moves. Sorts in place (stable) and returns the array.
 */
export function orderByProductionImpact<T extends { productionImpact?: ProductionImpact }>(findings: T[]): T[] {
  if (!findings.some((finding) => finding.productionImpact)) return findings;
  return findings.sort((a, b) => (b.productionImpact?.shareOfTime ?? -1) - (a.productionImpact?.shareOfTime ?? -1));
}

/** The numbers with where they come from: "(statistics of 2026-12-01)" for a snapshot, "(live, read 19:20 UTC)". */
export function runtimeCostNote(cost: RuntimeCost): string {
  return `${describeRuntimeCost(cost)} (${cost.live ? `live, read ${cost.live.takenAt.slice(11, 16)} UTC` : `statistics of ${cost.date}`})`;
}

// Production runtime beside the code: a statement of the code and a pg_stat_statements entry are the same query when
// libpg_query gives their texts the same fingerprint. The fingerprint leaves out constants and `$n` parameters (so
// `WHERE id = $1` in the code matches `WHERE id = 42` sent by another client), the length of IN lists and
// `= ANY($1)`, whitespace, case and comments; it keeps everything else: another column, alias, order or join is another
// statement. docs/production-snapshot.md lists what matches and what does not.

import { fingerprintOf } from '../parse/libpgQuery';
import type { ProductionSnapshot, SnapshotStatement } from './format';
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
}

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

  constructor(readonly snapshot: ProductionSnapshot) {
    this.byFingerprint = new Map(snapshot.statements.entries.map((entry) => [entry.fingerprint, entry]));
    this.date = snapshotDate(snapshot);
  }

  /** The numbers of the statement whose text is `sql` (the code's, with `$n`), when production ran it. */
  costOf(sql: string): RuntimeCost | undefined {
    const fingerprint = statementFingerprint(sql);
    const entry = fingerprint === undefined ? undefined : this.byFingerprint.get(fingerprint);
    if (!entry) return undefined;
    const total = this.snapshot.statements.totalMs;
    return { calls: entry.calls, meanMs: entry.meanMs, totalMs: entry.totalMs, shareOfTime: total > 0 ? entry.totalMs / total : 0, date: this.date };
  }
}

/** "prod: 1,240 calls · mean 38 ms · 21% of DB time" */
export function describeRuntimeCost(cost: RuntimeCost): string {
  return `prod: ${cost.calls.toLocaleString('en-US')} calls · mean ${formatMs(cost.meanMs)} · ${formatShare(cost.shareOfTime)} of DB time`;
}

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

/** What `addRuntimeCostNotes` needs of an analysis (engine/analyze.ts FileAnalysis). */
interface AnalysisWithStatements {
  findings: Array<{ fileStart: number; notes?: string[] }>;
  statements: Array<{ statement: { text: string }; fileStart: number; fileEnd: number; runtimeCost?: RuntimeCost }>;
}

/**
 * Each statement production runs gets its numbers (`runtimeCost`: the editor's hover), and each finding about it a
 * note ("prod: 1,240 calls · mean 38 ms · 21% of DB time (statistics of 2026-12-01)"): `check` prints it under the
 * finding, SARIF in the message. Done once per analysis object (the editor's analyses are re-used).
 */
export function addRuntimeCostNotes(analysis: AnalysisWithStatements, costs: RuntimeCosts): void {
  if (annotated.has(analysis)) return;
  annotated.add(analysis);
  for (const analyzed of analysis.statements) analyzed.runtimeCost = costs.costOf(analyzed.statement.text);
  for (const finding of analysis.findings) {
    const cost = analysis.statements.find((s) => finding.fileStart >= s.fileStart && finding.fileStart <= s.fileEnd)?.runtimeCost;
    if (cost) finding.notes = [...(finding.notes ?? []), runtimeCostNote(cost)];
  }
}

const annotated = new WeakSet<object>();

export function runtimeCostNote(cost: RuntimeCost): string {
  return `${describeRuntimeCost(cost)} (statistics of ${cost.date})`;
}

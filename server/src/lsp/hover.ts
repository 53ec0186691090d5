// Hover on a statement: the plan first (each finding's one-line headline above it, then the summary line and the
// tree), the details after (what each finding means, its notes and suggested SQL, the statement's locks, when and
// where it was planned). The diagnostic's own message is shown by the editor next to this hover, so it is not
// repeated here. Plans are drawn by planRender.ts, the one renderer the explain commands use too.

import { MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver';
import type { AnalyzedStatement, FileAnalysis } from '../engine/analyze';
import { allRuleMetas } from '../engine/rules/index';
import { lockHoverMarkdown } from './lockHover';
import { runtimeCostNote } from '../engine/snapshot/match';
import { escapeMarkdown, planFootnotes, renderPlanTreeMarkdown } from './planRender';
import type { DatabaseState } from './protocol';
import { describeProductionSource, type ProductionNumbersState } from '../engine/snapshot/productionSource';
import type { Finding } from '../engine/types';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { schemaHover } from './schemaAtCursor';

export function contains(range: Range, position: Position): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}

export function statementAt(analysis: FileAnalysis, position: Position): AnalyzedStatement | undefined {
  // Innermost first: the shortest statement containing the position.
  return analysis.statements
    .filter((s) => contains(s.range, position))
    .sort((a, b) => a.fileEnd - a.fileStart - (b.fileEnd - b.fileStart))[0];
}

export function findingsAt(analysis: FileAnalysis, position: Position): Finding[] {
  return analysis.findings.filter((f) => contains(f.range, position));
}

/** `production`: where the folder's runtime numbers come from (said under them: the status bar of editors without one). */
export function hoverFor(analysis: FileAnalysis, position: Position, database?: DatabaseState, document?: TextDocument, production?: ProductionNumbersState): Hover | undefined {
  const findings = findingsAt(analysis, position);
  const statement = statementAt(analysis, position);
  // A table or column name under the cursor: what the schema facts say about it (first, unless a finding is there).
  const schemaPart = document ? schemaHover(analysis, document, position) : undefined;
  if (findings.length === 0 && !statement && !schemaPart) return undefined;
  const top: string[] = findings.map(findingHeadline);
  const details: string[] = [];
  if (schemaPart && findings.length === 0) top.push(schemaPart);
  // What the statement costs production (a snapshot's pg_stat_statements), above its plan.
  if (statement?.runtimeCost) {
    top.push(`**${escapeMarkdown(runtimeCostNote(statement.runtimeCost))}**`);
    if (production && production.source !== 'snapshot') top.push(`*${escapeMarkdown(describeProductionSource(production, Date.now(), true))}*`);
  }
  if (statement?.plan) top.push(renderPlanTreeMarkdown(statement.plan.root, {}, statement.plan.generic ? 'generic plan' : 'estimated'));
  else if (statement?.planSkippedReason && findings.length === 0) top.push(`**pglens** · ${escapeMarkdown(notPlannedLine(statement.planSkippedReason, database))}`);
  for (const finding of findings) {
    const more = findingDetails(finding);
    if (more) details.push(more);
  }
  if (statement) {
    // Which lock the statement takes and what that blocks, with table sizes when a database is connected.
    const previousStatements = analysis.statements.filter((s) => s.fileEnd <= statement.fileStart).map((s) => s.statement);
    const locks = lockHoverMarkdown(statement.statement, { schema: analysis.schema, serverVersionNum: analysis.serverVersionNum, previousStatements });
    if (locks) details.push(locks);
  }
  if (schemaPart && findings.length > 0) details.push(schemaPart);
  if (statement?.plan) details.push(planFootnotes(statement.plan));
  if (top.length === 0 && details.length === 0) return undefined;
  return {
    contents: { kind: MarkupKind.Markdown, value: [top.join('\n\n'), ...details].filter((part) => part.length > 0).join('\n\n---\n\n') },
    range: findings[0]?.range ?? statement?.range,
  };
}

/**
 * Why a statement has no plan, said once (`not planned: …`), and for "no database" which kind of no database: one
 * configured but not answering is not the same as none configured.
 */
export function notPlannedLine(reason: string, database?: DatabaseState): string {
  const bare = reason.replace(/^(?:not planned:\s*)+/i, '');
  if (bare === 'no database' && database) {
    if (database.state === 'disconnected') return `not planned: the database does not answer (${database.reason})`;
    if (database.state === 'static') return `not planned: ${database.reason}`;
    if (database.state === 'starting') return 'not planned yet: the database is being connected';
  }
  return `not planned: ${bare}`;
}

const SEVERITY_ICON: Record<Finding['severity'], string> = { error: '⛔', warning: '⚠️', info: 'ℹ️', hint: '💡' };

/**
 * The finding in one line: the engine's headline where the finding has one, else the message's first sentence. The
 * details are in the diagnostic's message, which the editor shows beside the hover: not repeated here.
 */
export function headlineOf(finding: Finding): string {
  const given = (finding as { headline?: unknown }).headline;
  if (typeof given === 'string' && given.length > 0) return given;
  const firstSentence = /^.*?[.!?](?=\s+[A-Z(]|\s*$)/s.exec(finding.message.trim())?.[0] ?? finding.message.trim();
  return firstSentence.length > 200 ? `${firstSentence.slice(0, 199)}…` : firstSentence;
}

function findingHeadline(finding: Finding): string {
  return `${SEVERITY_ICON[finding.severity]} **pglens · ${finding.ruleId}** (${finding.severity}) ${escapeMarkdown(headlineOf(finding))}`;
}

function findingDetails(finding: Finding): string | undefined {
  const meta = allRuleMetas().find((m) => m.id === finding.ruleId);
  const lines: string[] = [];
  if (meta) lines.push(`*What it means:* ${escapeMarkdown(meta.description)}`);
  if (finding.notes?.length) lines.push(`*Note:* ${escapeMarkdown(finding.notes.join('; '))}`);
  const sql = finding.fixes?.find((f) => f.sql)?.sql;
  if (sql) lines.push(['*Suggested:*', '```sql', sql, '```'].join('\n'));
  if (finding.docsUrl) lines.push(`[Rule documentation: ${finding.ruleId}](${finding.docsUrl})`);
  return lines.length > 0 ? lines.join('\n\n') : undefined;
}

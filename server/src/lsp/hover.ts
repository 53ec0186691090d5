// Hover: on a finding, what it means in plain words and a link to its docs page; on any planned statement, the
// plan as a compact tree (node, relation and index, estimated rows, cost), the costliest node marked, totals,
// whether the plan is generic, and when and where it was planned; for statements that take more than ACCESS SHARE,
// which lock they take and what it blocks.

import { MarkupKind, type Hover, type Position, type Range } from 'vscode-languageserver';
import type { AnalyzedStatement, FileAnalysis } from '../engine/analyze';
import { exclusiveCost, formatCost, formatCount, walkPlan, type ExplainedPlan, type PlanNode } from '../engine/plan/model';
import { allRuleMetas } from '../engine/rules/index';
import { lockHoverMarkdown } from './lockHover';
import type { Finding } from '../engine/types';

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

export function hoverFor(analysis: FileAnalysis, position: Position): Hover | undefined {
  const findings = findingsAt(analysis, position);
  const statement = statementAt(analysis, position);
  if (findings.length === 0 && !statement) return undefined;
  const parts: string[] = [];
  for (const finding of findings) parts.push(describeFinding(finding));
  if (statement) {
    // Which lock the statement takes and what that blocks, with table sizes when a database is connected.
    const previousStatements = analysis.statements.filter((s) => s.fileEnd <= statement.fileStart).map((s) => s.statement);
    const locks = lockHoverMarkdown(statement.statement, { schema: analysis.schema, serverVersionNum: analysis.serverVersionNum, previousStatements });
    if (locks) parts.push(locks);
  }
  if (statement?.plan) parts.push(renderPlanMarkdown(statement.plan));
  else if (statement?.planSkippedReason && findings.length === 0) parts.push(`**pglens** · not planned: ${escapeMarkdown(statement.planSkippedReason)}`);
  if (parts.length === 0) return undefined;
  return {
    contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') },
    range: findings[0]?.range ?? statement?.range,
  };
}

const SEVERITY_ICON: Record<Finding['severity'], string> = { error: '⛔', warning: '⚠️', info: 'ℹ️', hint: '💡' };

function describeFinding(finding: Finding): string {
  const meta = allRuleMetas().find((m) => m.id === finding.ruleId);
  const lines = [`${SEVERITY_ICON[finding.severity]} **pglens · ${finding.ruleId}** (${finding.severity})`, '', escapeMarkdown(finding.message)];
  if (meta) lines.push('', `*What it means:* ${escapeMarkdown(meta.description)}`);
  if (finding.notes?.length) lines.push('', `*Note:* ${escapeMarkdown(finding.notes.join('; '))}`);
  const sql = finding.fixes?.find((f) => f.sql)?.sql;
  if (sql) lines.push('', '*Suggested:*', '```sql', sql, '```');
  if (finding.docsUrl) lines.push('', `[Rule documentation](${finding.docsUrl})`);
  return lines.join('\n');
}

/** One line per node: `Seq Scan on orders  rows≈1  cost 18,334`. */
export function describeNode(node: PlanNode): string {
  let label = node.nodeType;
  if (node.joinType && /Join|Nested Loop/.test(node.nodeType) && node.joinType !== 'Inner') label = `${node.nodeType} (${node.joinType})`;
  if (node.operation && node.nodeType === 'ModifyTable') label = node.operation;
  if (node.indexName) label += ` using ${node.indexName}`;
  if (node.relationName) label += ` on ${node.relationName}${node.alias && node.alias !== node.relationName ? ` ${node.alias}` : ''}`;
  if (node.subplanName) label += ` (${node.subplanName})`;
  return label;
}

export function nodeCondition(node: PlanNode): string | undefined {
  const conditions: [string, string | undefined][] = [
    ['Index Cond', node.indexCond],
    ['Hash Cond', node.hashCond],
    ['Merge Cond', node.mergeCond],
    ['Join Filter', node.joinFilter],
    ['Filter', node.filter],
    ['Sort Key', node.sortKey?.join(', ')],
    ['Group Key', node.groupKey?.join(', ')],
  ];
  const found = conditions.filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value}`);
  return found.length > 0 ? found.join('; ') : undefined;
}

/** The plan as a fenced text tree: estimated rows and cost per node, the costliest node (own cost) marked. */
export function renderPlanTree(plan: ExplainedPlan): string {
  let costliest: PlanNode | undefined;
  for (const { node } of walkPlan(plan.root)) if (!costliest || exclusiveCost(node) > exclusiveCost(costliest)) costliest = node;
  const lines: string[] = [];
  const visit = (node: PlanNode, prefix: string, childPrefix: string) => {
    const marker = node === costliest && plan.root.children.length > 0 ? '  ◀ costliest' : '';
    lines.push(`${prefix}${describeNode(node)}  rows≈${formatCount(node.planRows)}  cost ${formatCost(node.totalCost)}${marker}`);
    const condition = nodeCondition(node);
    const hasChildren = node.children.length > 0;
    if (condition) lines.push(`${childPrefix}${hasChildren ? '│ ' : '  '} ${truncate(condition, 90)}`);
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      visit(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  visit(plan.root, '', '');
  return lines.join('\n');
}

export function renderPlanMarkdown(plan: ExplainedPlan): string {
  const out = [`**pglens · plan** (${plan.generic ? 'generic plan' : 'estimated'})`, '', '```text', renderPlanTree(plan), '```', ''];
  const totals = [`total cost ${formatCost(plan.root.totalCost)}`, `est. rows ${formatCount(plan.root.planRows)}`];
  if (plan.planningTimeMs !== undefined) totals.push(`planning ${plan.planningTimeMs.toFixed(1)} ms`);
  out.push(totals.join(' · '));
  if (plan.generic) out.push('', '*Generic plan:* parameter values are unknown, so estimates use default selectivities.');
  for (const note of plan.notes.filter((n) => !n.startsWith('generic plan'))) out.push('', `*Note:* ${escapeMarkdown(note)}`);
  // The label in code style: `user@host` would otherwise be turned into a mail link.
  out.push('', `Planned ${new Date(plan.plannedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} on \`${plan.databaseLabel.replace(/`/g, "'")}\` (PostgreSQL ${escapeMarkdown(plan.serverVersion)})`);
  return out.join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]<>|])/g, '\\$1');
}

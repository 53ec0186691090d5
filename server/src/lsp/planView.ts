// `pglens/planView`: the plan of the statement at a position as plan-view data (engine plan/planView.ts), for the
// VS Code plan view or any client that draws plans. The language server owns the plans: the client never runs
// EXPLAIN. `withIndex` answers the two plans of a finding's index suggestion (before, and with the what-if index),
// compared node by node, with the what-if index named by its CREATE INDEX.

import type { FileAnalysis } from '../engine/analyze';
import type { ExplainedPlan, PlanNode } from '../engine/plan/model';
import { buildPlanView, diffPlans, type PlanView, type PlanViewOptions } from '../engine/plan/planView';
import { formatCost } from '../engine/plan/model';
import { indexSuggestionOf, whatIfIndexes } from './codeActions';
import { contains, notPlannedLine, statementAt } from './hover';
import { describeNode, whatIfIndexResolver, type IndexNameResolver } from './planRender';
import type { DatabaseState, PlanViewParams, PlanViewResult } from './protocol';

/** Plan-view options that name nodes as every other pglens plan does (what-if indexes as their CREATE INDEX). */
export function planViewOptions(resolveIndex?: IndexNameResolver, executionTimeMs?: number): PlanViewOptions {
  return { describe: (node: PlanNode) => describeNode(node, resolveIndex), executionTimeMs };
}

/** The plan view of an EXPLAIN (ANALYZE) result. */
export function explainedPlanView(plan: ExplainedPlan): PlanView {
  return buildPlanView(plan.root, planViewOptions(undefined, plan.executionTimeMs));
}

/** What qualifies a plan, in words: generic or estimated, notes, where it was planned. */
function planNotes(plan: ExplainedPlan): string[] {
  const notes = [plan.generic ? 'Generic plan: parameter values are unknown, so estimates use default selectivities.' : 'Estimated plan: nothing was executed.'];
  notes.push(...plan.notes.filter((n) => !n.startsWith('generic plan')));
  notes.push(`Planned on ${plan.databaseLabel} (PostgreSQL ${plan.serverVersion}).`);
  return notes;
}

export function planViewFor(analysis: FileAnalysis, params: PlanViewParams, database?: DatabaseState): PlanViewResult {
  const statement = statementAt(analysis, params.position);
  if (!statement) return { error: 'No SQL statement at the cursor.' };
  const text = statement.statement.text;
  if (!statement.plan) return { statement: text, error: capitalize(notPlannedLine(statement.planSkippedReason ?? 'unknown reason', database)) };
  if (params.kind !== 'withIndex') {
    return { title: 'Plan', statement: text, plan: explainedPlanView(statement.plan), notes: planNotes(statement.plan) };
  }
  // The finding at the position with an index suggestion, else the first one in the statement.
  const inStatement = analysis.findings.filter(
    (f) => f.fileStart >= statement.fileStart && f.fileStart <= statement.fileEnd && indexSuggestionOf(f)?.planAfterRoot !== undefined,
  );
  const finding = inStatement.find((f) => contains(f.range, params.position) && (!params.ruleId || f.ruleId === params.ruleId)) ?? inStatement[0];
  const suggestion = finding ? indexSuggestionOf(finding) : undefined;
  if (!suggestion?.planAfterRoot) return { statement: text, error: 'No index suggestion with a what-if plan for this statement.' };
  const resolveIndex = whatIfIndexResolver(whatIfIndexes(suggestion));
  const diff = diffPlans(statement.plan.root, suggestion.planAfterRoot, planViewOptions(resolveIndex));
  const how =
    suggestion.verifiedWith === 'hypopg'
      ? 'Planned with a hypothetical index (hypopg): nothing was created.'
      : 'Planned with the index built inside a transaction that was rolled back.';
  return {
    title: 'Plan with this index',
    statement: text,
    diff: { ...diff, beforeTitle: 'Now', afterTitle: 'With the index', indexSql: suggestion.sql },
    notes: [`Estimated cost ${formatCost(diff.before.totalCost)} → ${formatCost(diff.after.totalCost)}. ${how}`, ...planNotes(statement.plan)],
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Every costly statement is asked (the approach of Dexter, with pglens's candidates and checks): slow queries do not
// always have a plan shape another rule recognises (an index scan that filters most of what it reads, a join whose
// outer side is found the slow way). A statement whose effective cost (plan/effectiveCost.ts: a LIMIT does not hide
// a scan that filters) is at least `minCost` is handed to the index advisor. The finding stands only when what-if
// planning proves an index that cuts that cost by the advisor's minimum share (advisor.minCostReduction, 50%): the
// engine withdraws it otherwise. Statements a plan-shape rule reports are left to that rule (even when it is off).

import { effectiveCost } from '../../plan/effectiveCost';
import { formatCost } from '../../plan/model';
import { fkWithoutIndex } from '../advice/fk-without-index';
import { ruleDefaultOptions, type Rule, type RuleContext } from '../rule';
import { functionOnIndexedColumn } from './function-on-indexed-column';
import { largeSort } from './large-sort';
import { leadingWildcardLike } from './leading-wildcard-like';
import { limitTrap } from './limit-trap';
import { modifyScansLargeTable } from './modify-scans-large-table';
import { nestedLoopInnerScan } from './nested-loop-inner-scan';
import { seqScanLargeTable } from './seq-scan-large-table';

/**
 * The rules that recognise a plan shape and have their findings advised. Where one of them reports (with its default
 * options), the statement is theirs: turned off or silenced with pglens-ignore, it must stay silent, not come back
 * under this rule's name.
 */
const SHAPE_RULES: Rule[] = [seqScanLargeTable, functionOnIndexedColumn, leadingWildcardLike, largeSort, limitTrap, nestedLoopInnerScan, modifyScansLargeTable, fkWithoutIndex];

function anotherRuleReports(context: RuleContext): boolean {
  let reported = false;
  for (const rule of SHAPE_RULES) {
    rule.check({ ...context, options: ruleDefaultOptions(rule.meta), report: () => (reported = true) });
    if (reported) return true;
  }
  return false;
}

export const indexWouldHelp: Rule = {
  meta: {
    id: 'index-would-help',
    description: 'A costly statement that an index, proven by what-if planning, would make much cheaper (whatever the plan shape).',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    options: {
      minCost: { type: 'number', minimum: 0, default: 1000, description: 'Statements of a lower effective cost are not handed to the index advisor.' },
    },
    asksAdvisor: true,
    messages: {
      indexHelps: 'Estimated cost {{cost}}: an index makes this statement much cheaper',
      indexHelpsUnderLimit: 'Estimated cost {{cost}} under a LIMIT that may not stop early: an index makes this statement much cheaper',
    },
  },
  check(context) {
    const plan = context.plan!;
    const kind = context.statement.kind;
    if (kind !== 'SelectStmt' && kind !== 'UpdateStmt' && kind !== 'DeleteStmt') return;
    const cost = effectiveCost(plan.root);
    if (cost < Number(context.options.minCost)) return;
    if (anotherRuleReports(context)) return;
    const hidden = cost > plan.root.totalCost * 1.5 ? ` (the plan says ${formatCost(plan.root.totalCost)}, betting that a LIMIT stops a filtering scan early)` : '';
    context.report({
      messageId: hidden ? 'indexHelpsUnderLimit' : 'indexHelps',
      data: { cost: formatCost(cost) },
      details: [{ kind: 'evidence', text: `Effective estimated cost ${formatCost(cost)}${hidden}.` }],
      evidence: { effectiveCost: cost, plannedCost: plan.root.totalCost, adviceOnly: true },
    });
  },
};

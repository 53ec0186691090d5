// Every costly statement is asked (the approach of Dexter, with pglens's candidates and checks): slow queries do not
// always have a plan shape another rule recognises (an index scan that filters most of what it reads, a join whose
// outer side is found the slow way). A statement whose effective cost (plan/effectiveCost.ts: a LIMIT does not hide
// a scan that filters) is at least `minCost` is handed to the index advisor. The finding stands only when what-if
// planning proves an index that cuts that cost by the advisor's minimum share (advisor.minCostReduction, 50%): the
// engine withdraws it otherwise, and also when another rule's finding of the statement already carries the index.

import { effectiveCost } from '../../plan/effectiveCost';
import { formatCost } from '../../plan/model';
import type { Rule } from '../rule';

export const indexWouldHelp: Rule = {
  meta: {
    id: 'index-would-help',
    description: 'A costly statement that an index, proven by what-if planning, would make much cheaper (whatever the plan shape).',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    defaultOptions: { minCost: 1000 },
  },
  check(context) {
    const plan = context.plan!;
    const kind = context.statement.kind;
    if (kind !== 'SelectStmt' && kind !== 'UpdateStmt' && kind !== 'DeleteStmt') return;
    const cost = effectiveCost(plan.root);
    if (cost < Number(context.options.minCost)) return;
    const hidden = cost > plan.root.totalCost * 1.5 ? ` (the plan says ${formatCost(plan.root.totalCost)}, betting that a LIMIT stops a filtering scan early)` : '';
    context.report({
      headline: `Estimated cost ${formatCost(cost)}${hidden ? ' under a LIMIT that may not stop early' : ''}: an index makes this statement much cheaper`,
      details: [{ kind: 'evidence', text: `Effective estimated cost ${formatCost(cost)}${hidden}.` }],
      evidence: { effectiveCost: cost, plannedCost: plan.root.totalCost, adviceOnly: true },
    });
  },
};

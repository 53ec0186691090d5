// A ceiling on a statement's estimated cost, set for the whole project (rules.cost-budget.options.maxCost) or for
// one statement with `-- pglens: budget 500` on the line before it. Off until a budget is set.

import { formatCost } from '../../plan/model';
import type { Rule } from '../rule';

export const costBudget: Rule = {
  meta: {
    id: 'cost-budget',
    description: 'The statement’s estimated cost exceeds the budget set for it or for the project.',
    defaultSeverity: 'error',
    category: 'performance',
    kind: 'plan',
    options: {
      maxCost: { type: 'number', minimum: 0, default: 0, description: 'The highest estimated cost a statement may have; 0 turns the project budget off (`-- pglens: budget N` still applies).' },
    },
    messages: {
      overBudget: 'Estimated cost {{cost}} exceeds the budget of {{budget}} (set by {{source}})',
    },
  },
  check(context) {
    const plan = context.plan!;
    const perStatement = context.options.statementBudget;
    const budget = perStatement !== undefined ? Number(perStatement) : Number(context.options.maxCost);
    if (!(budget > 0) || plan.root.totalCost <= budget) return;
    const source = perStatement !== undefined ? `-- pglens: budget ${budget}` : 'rules.cost-budget.options.maxCost';
    const text = context.statement.text;
    const firstWord = /^\w+/.exec(text)?.[0].length ?? text.length;
    context.report({
      messageId: 'overBudget',
      data: { cost: formatCost(plan.root.totalCost), budget: formatCost(budget), source },
      start: context.statement.start,
      end: context.statement.start + firstWord,
      evidence: { cost: plan.root.totalCost, budget, source },
    });
  },
};

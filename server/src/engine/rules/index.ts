// Every rule pglens knows, in the order their findings are listed for one statement.

import type { Rule, RuleMeta } from './rule';
import { planRules } from './plan/index';
import { lockingRules } from './locking/index';
import { adviceRules } from './advice/index';
import { planRegressionMeta } from './baseline/plan-regression';

export const allRules: Rule[] = [...planRules, ...lockingRules, ...adviceRules];

/** Findings the engine itself raises (the parser and the planner refused the statement); documented like rules. */
export const engineRuleMetas: RuleMeta[] = [
  {
    id: 'syntax-error',
    description: 'PostgreSQL’s parser rejects the statement.',
    defaultSeverity: 'error',
    category: 'syntax',
    kind: 'statement',
  },
  {
    id: 'plan-error',
    description: 'PostgreSQL cannot plan the statement against the database (a missing table or column, a type error, a timeout).',
    defaultSeverity: 'warning',
    category: 'correctness',
    kind: 'plan',
  },
  // Raised by `pglens check --baseline` when it compares a run with the committed baseline (engine/baseline/).
  planRegressionMeta,
];

export function allRuleMetas(): RuleMeta[] {
  return [...engineRuleMetas, ...allRules.map((rule) => rule.meta)];
}

export function ruleById(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}

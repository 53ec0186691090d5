// Every rule pglens knows, in the order their findings are listed for one statement.

import { ruleMetaProblems, type Rule, type RuleMeta } from './rule';
import { planRules } from './plan/index';
import { lockingRules } from './locking/index';
import { adviceRules } from './advice/index';
import { planRegressionMeta } from './baseline/plan-regression';

export const allRules: Rule[] = [...planRules, ...lockingRules, ...adviceRules];

/** Findings the engine itself raises (the parser and the planner refused the statement); documented like rules. */
export const syntaxErrorMeta: RuleMeta = {
  id: 'syntax-error',
  description: 'PostgreSQL’s parser rejects the statement.',
  defaultSeverity: 'error',
  category: 'syntax',
  kind: 'statement',
  messages: { syntaxError: 'SQL syntax error: {{error}}' },
};

export const planErrorMeta: RuleMeta = {
  id: 'plan-error',
  description: 'PostgreSQL cannot plan the statement against the database (a missing table or column, a type error, a timeout).',
  defaultSeverity: 'warning',
  category: 'correctness',
  kind: 'plan',
  messages: {
    cannotPlan: 'PostgreSQL cannot plan this statement: {{error}}',
    planningTimeout: 'PostgreSQL did not finish planning within {{timeoutMs}} ms',
  },
};

export const engineRuleMetas: RuleMeta[] = [
  syntaxErrorMeta,
  planErrorMeta,
  // Raised by `pglens check --baseline` when it compares a run with the committed baseline (engine/baseline/).
  planRegressionMeta,
];

export function allRuleMetas(): RuleMeta[] {
  return [...engineRuleMetas, ...allRules.map((rule) => rule.meta)];
}

/**
 * The registry's own check, run once when it is loaded: every rule declares messages that are well-formed templates
 * (rule.ts ruleMetaProblems). A rule that does not is a bug to fix before anything runs.
 */
export function registryProblems(): string[] {
  const metas = allRuleMetas();
  const problems = metas.flatMap(ruleMetaProblems);
  const seen = new Set<string>();
  for (const meta of metas) {
    if (seen.has(meta.id)) problems.push(`${meta.id}: declared twice`);
    seen.add(meta.id);
  }
  return problems;
}

// Checked at load: a malformed message template is found by every test and every run, not by the first user it hits.
const problemsAtLoad = registryProblems();
if (problemsAtLoad.length > 0) throw new Error(`pglens rule registry: ${problemsAtLoad.join('; ')}`);

export function ruleById(id: string): Rule | undefined {
  return allRules.find((rule) => rule.meta.id === id);
}

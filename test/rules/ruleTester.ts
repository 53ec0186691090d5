// A table-driven tester for rules, in the shape of ESLint's RuleTester: per rule, `valid` SQL that must stay quiet and
// `invalid` SQL with what must be reported. Every report is also held to the message contract of issue 14: a headline
// of at most HEADLINE_MAX_LENGTH characters on one line, no sentence said twice in headline and details.
//
//   ruleTester.run(rule, { valid: ['...'], invalid: [{ sql: '...', headline: /.../, anchor: 'orders' }] })
//
// Lock and advice rules that need no plan run on the parse tree (lockRuleTestUtils); plan rules against the fixture
// database (planRuleTestUtils), so both families are described the same way.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADLINE_MAX_LENGTH } from '../../server/src/engine/findingText';
import type { Rule, RuleOptionValue } from '../../server/src/engine/rules/rule';
import type { SchemaFacts } from '../../server/src/engine/db/schemaFacts';
import type { FindingDetail } from '../../server/src/engine/types';
import { MIGRATION, runLockRule, type LockRuleOptions } from './lockRuleTestUtils';
import { checkPlanRule } from './planRuleTestUtils';

export interface InvalidCase {
  sql: string;
  /** The headline, exactly or by pattern. */
  headline: string | RegExp;
  /** The text under the report's range. */
  anchor?: string;
  options?: Record<string, RuleOptionValue>;
}

export interface RuleCases {
  valid: string[];
  invalid: InvalidCase[];
  /** For statement rules: the file's migration context and schema facts (default: a transactional migration). */
  context?: LockRuleOptions;
}

interface Reported {
  headline: string;
  details?: FindingDetail[];
  anchor: string;
}

async function reportsOf(rule: Rule, sql: string, cases: RuleCases, options?: Record<string, RuleOptionValue>): Promise<Reported[]> {
  if (rule.meta.kind === 'plan') {
    const { reports } = await checkPlanRule(rule, sql, options);
    return reports.map((r) => ({ headline: r.headline, details: r.details, anchor: r.anchoredText }));
  }
  const runs = await runLockRule(rule, sql, { migration: MIGRATION, ...cases.context, options: { ...(cases.context?.options ?? {}), ...(options ?? {}) } });
  return runs.map((r) => ({ headline: r.headline, details: r.report.details ?? (r.message === r.headline ? [] : undefined), anchor: r.anchor }));
}

/** The contract every report keeps, whatever the rule. */
export function assertMessageContract(report: { headline: string; details?: FindingDetail[] }, where: string): void {
  assert.ok(report.headline.length > 0, `${where}: an empty headline`);
  assert.ok(report.headline.length <= HEADLINE_MAX_LENGTH, `${where}: headline of ${report.headline.length} characters: ${report.headline}`);
  assert.ok(!report.headline.includes('\n'), `${where}: a headline of more than one line`);
  const sentences = [report.headline, ...(report.details ?? []).map((d) => d.text)]
    .flatMap((text) => text.split(/(?<=[.!?])\s+(?=[A-Z])/))
    .map((s) => s.trim().replace(/\.$/, '').toLowerCase())
    .filter((s) => s.length > 0);
  assert.equal(new Set(sentences).size, sentences.length, `${where}: a sentence said twice: ${sentences.join(' | ')}`);
}

export const ruleTester = {
  run(rule: Rule, cases: RuleCases): void {
    describe(`${rule.meta.id} (rule tester)`, () => {
      for (const sql of cases.valid) {
        test(`valid: ${sql}`, async () => {
          assert.deepEqual(await reportsOf(rule, sql, cases), []);
        });
      }
      for (const invalid of cases.invalid) {
        test(`invalid: ${invalid.sql}`, async () => {
          const reports = await reportsOf(rule, invalid.sql, cases, invalid.options);
          assert.ok(reports.length > 0, `${rule.meta.id} reported nothing`);
          const [report] = reports;
          if (typeof invalid.headline === 'string') assert.equal(report.headline, invalid.headline);
          else assert.match(report.headline, invalid.headline);
          if (invalid.anchor !== undefined) assert.equal(report.anchor, invalid.anchor);
          for (const each of reports) assertMessageContract(each, rule.meta.id);
        });
      }
    });
  },
};

export type { SchemaFacts };

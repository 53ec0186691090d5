// A table-driven tester for rules, in the shape of ESLint's RuleTester: per rule, `valid` SQL that must stay quiet and
// `invalid` SQL with what must be reported. Every report is also held to the message contract of issue 14: a headline
// of at most HEADLINE_MAX_LENGTH characters on one line, no sentence said twice in headline and details.
//
//   ruleTester.run(rule, { valid: ['...'], invalid: [{ sql: '...', messageId: 'sortsTable', data: { table: 'orders' } }] })
//
// Each invalid case names the message id of its first report and the data that filled it (values exactly, or by
// pattern for estimates), as ESLint's RuleTester does; the headline may be asserted as well. Lock and advice rules that
// need no plan run on the parse tree (lockRuleTestUtils); plan rules, and cases marked `planned`, against the fixture
// database (planRuleTestUtils), so every family is described the same way. The cases live in test/rules/cases/, where
// ruleRegistry.test.ts checks that every rule has some.

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
  /** The message id of the first report, one of the rule's meta.messages. */
  messageId: string;
  /** Data of the first report, each value exactly (as text) or by pattern; keys left out are not checked. */
  data?: Record<string, string | number | RegExp>;
  /** The headline, exactly or by pattern. */
  headline?: string | RegExp;
  /** The text under the report's range. */
  anchor?: string;
  options?: Record<string, RuleOptionValue>;
  /** This case's migration context and schema facts, instead of the rule's. */
  context?: LockRuleOptions;
}

export interface RuleCases {
  valid: string[];
  invalid: InvalidCase[];
  /** For statement rules: the file's migration context and schema facts (default: a transactional migration). */
  context?: LockRuleOptions;
  /** Run a statement rule like a plan rule: EXPLAINed against the fixture database, with its schema facts. */
  planned?: boolean;
}

interface Reported {
  messageId?: string;
  data?: Record<string, string | number | undefined>;
  headline: string;
  details?: FindingDetail[];
  anchor: string;
}

async function reportsOf(rule: Rule, sql: string, cases: RuleCases, options?: Record<string, RuleOptionValue>, context = cases.context): Promise<Reported[]> {
  if (rule.meta.kind === 'plan' || cases.planned) {
    const { reports } = await checkPlanRule(rule, sql, options);
    return reports.map((r) => ({ messageId: r.messageId, data: r.data, headline: r.headline, details: r.details, anchor: r.anchoredText }));
  }
  const runs = await runLockRule(rule, sql, { migration: MIGRATION, ...context, options: { ...(context?.options ?? {}), ...(options ?? {}) } });
  return runs.map((r) => ({ messageId: r.report.messageId, data: r.report.data, headline: r.headline, details: r.report.details ?? (r.message === r.headline ? [] : undefined), anchor: r.anchor }));
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
          const reports = await reportsOf(rule, invalid.sql, cases, invalid.options, invalid.context ?? cases.context);
          assert.ok(reports.length > 0, `${rule.meta.id} reported nothing`);
          const [report] = reports;
          assert.ok(Object.hasOwn(rule.meta.messages, invalid.messageId), `${invalid.messageId} is not one of ${rule.meta.id}'s messages`);
          assert.equal(report.messageId, invalid.messageId, `${rule.meta.id}: headline ${report.headline}`);
          for (const [key, expected] of Object.entries(invalid.data ?? {})) {
            const actual = report.data?.[key];
            assert.ok(actual !== undefined, `${rule.meta.id}: no data.${key}`);
            if (expected instanceof RegExp) assert.match(String(actual), expected, `data.${key}`);
            else assert.equal(String(actual), String(expected), `data.${key}`);
          }
          if (typeof invalid.headline === 'string') assert.equal(report.headline, invalid.headline);
          else if (invalid.headline) assert.match(report.headline, invalid.headline);
          if (invalid.anchor !== undefined) assert.equal(report.anchor, invalid.anchor);
          for (const each of reports) assertMessageContract(each, rule.meta.id);
        });
      }
    });
  },
};

export type { SchemaFacts };

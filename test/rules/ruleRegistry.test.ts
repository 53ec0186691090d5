// The rule contract as a whole (issue 14): what every rule declares in its meta (id, default severity, options,
// messages, docs URL) agrees with its docs page, and the message templates are well-formed and short enough once filled.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRuleMetas, allRules, engineRuleMetas, registryProblems } from '../../server/src/engine/rules/index';
import { lockRuleCases } from './cases/lockRuleCases';
import { plannedRuleCases } from './cases/plannedRuleCases';
import { ruleDocsUrl, ruleMetaProblems, ruleOptionSchemas, type RuleMeta } from '../../server/src/engine/rules/rule';
import { withMessagesSection } from '../../server/src/engine/rules/ruleDocs';
import { HEADLINE_MAX_LENGTH, fillMessageTemplate, RuleMessageError, templatePlaceholders, textOfReport } from '../../server/src/engine/findingText';

const DOCS = resolve(__dirname, '../../docs/rules');

describe('rule registry', () => {
  test('every rule declares well-formed messages, and no id twice', () => {
    assert.deepEqual(registryProblems(), []);
    assert.ok(allRuleMetas().length >= 37, `${allRuleMetas().length} rules`);
  });

  for (const meta of allRuleMetas()) {
    test(`${meta.id}: docs/rules/${meta.id}.md names its id, default severity, options and messages`, () => {
      const file = resolve(DOCS, `${meta.id}.md`);
      assert.ok(existsSync(file), `no docs page ${file}`);
      assert.ok(ruleDocsUrl(meta.id).endsWith(`/docs/rules/${meta.id}.md`), ruleDocsUrl(meta.id));
      const page = readFileSync(file, 'utf8');
      assert.equal(page.split('\n')[0], `# ${meta.id}`);
      assert.match(page, new RegExp(`\\*\\*Default severity:\\*\\* ${meta.defaultSeverity}\\b`));
      for (const option of Object.keys(ruleOptionSchemas(meta))) {
        assert.ok(page.includes(`\`${option}\``) || page.includes(`"${option}"`), `${meta.id}: option ${option} is not on its page`);
      }
      // The Messages section is written from the meta (scripts/generateRuleDocs.ts): run it when this fails.
      assert.equal(withMessagesSection(page, meta), page, `${meta.id}: docs Messages section differs from meta.messages (node --import tsx scripts/generateRuleDocs.ts)`);
    });
  }

  test('every rule has RuleTester cases: valid and invalid ones, each invalid naming one of its messages', () => {
    const tables = { ...lockRuleCases, ...plannedRuleCases };
    for (const rule of allRules) {
      const cases = tables[rule.meta.id];
      assert.ok(cases, `${rule.meta.id} has no cases in test/rules/cases/`);
      assert.ok(cases.valid.length > 0 && cases.invalid.length > 0, `${rule.meta.id}: valid ${cases.valid.length}, invalid ${cases.invalid.length}`);
      for (const invalid of cases.invalid) assert.ok(Object.hasOwn(rule.meta.messages, invalid.messageId), `${rule.meta.id}: ${invalid.messageId}`);
    }
    assert.deepEqual(Object.keys(tables).filter((id) => !allRules.some((rule) => rule.meta.id === id)), []);
    // The engine's own findings are tested in engineRuleTable.test.ts, one describe each.
    const engineTable = readFileSync(resolve(__dirname, 'engineRuleTable.test.ts'), 'utf8');
    for (const meta of engineRuleMetas) assert.ok(engineTable.includes(`describe('${meta.id} (`), `${meta.id} has no cases in engineRuleTable.test.ts`);
  });

  test('every template stays within the headline limit filled with 12-character names, 6-character numbers and clipped conditions', () => {
    // Numbers come formatted ("300k", "12,345", "0.01%"); conditions and sort keys are clipped to 40 characters,
    // expressions to 32 (clipForHeadline); an error is PostgreSQL's own message, said whole.
    const NUMBERS = /^(rows|kept|share|cost|budget|limit|loops|offset|matched|ratio|costBefore|costAfter|costFactor|minCost|timeoutMs)$/;
    const CLIPPED = /^(condition|keys|statement)$/;
    for (const meta of allRuleMetas()) {
      for (const [id, template] of Object.entries(meta.messages)) {
        const data = Object.fromEntries(templatePlaceholders(template).map((name) => [name, 'x'.repeat(NUMBERS.test(name) ? 6 : CLIPPED.test(name) ? 40 : name === 'expression' ? 32 : name === 'error' ? 50 : 12)]));
        const headline = fillMessageTemplate(meta.id, meta.messages, id, data);
        assert.ok(headline.length <= HEADLINE_MAX_LENGTH, `${meta.id}.${id}: ${headline.length} characters: ${headline}`);
      }
    }
  });
});

describe('message templates', () => {
  const meta: RuleMeta = {
    id: 'example-rule',
    description: 'An example.',
    defaultSeverity: 'warning',
    category: 'performance',
    kind: 'plan',
    messages: { sortsRows: 'Sorts ~{{rows}} rows of {{ table }}' },
  };

  test('a report by message id gets its template with the data filled in, and carries the id', () => {
    const text = textOfReport({ messageId: 'sortsRows', data: { rows: '300k', table: 'orders' }, details: [{ kind: 'evidence', text: 'A detail.' }] }, meta);
    assert.equal(text.headline, 'Sorts ~300k rows of orders');
    assert.equal(text.messageId, 'sortsRows');
    assert.equal(text.message, 'Sorts ~300k rows of orders. A detail.');
  });

  test('an undeclared id or an unfilled placeholder is a rule bug, named', () => {
    assert.throws(() => fillMessageTemplate(meta.id, meta.messages, 'sortRows', { rows: 1, table: 't' }), (error: Error) => error instanceof RuleMessageError && /example-rule reported message id 'sortRows'/.test(error.message));
    assert.throws(() => fillMessageTemplate(meta.id, meta.messages, 'sortsRows', { rows: 1 }), /without data for \{\{table\}\}/);
    assert.throws(() => fillMessageTemplate(meta.id, meta.messages, 'sortsRows', { rows: 1, table: '' }), /without data for \{\{table\}\}/);
    assert.equal(fillMessageTemplate(meta.id, meta.messages, 'sortsRows', { rows: 0, table: 't' }), 'Sorts ~0 rows of t');
  });

  test('a headline with a long real name is clipped to fit, the rest of it kept', () => {
    const table = `Organisation${'AuthenticationPortal'.repeat(8)}`;
    const headline = textOfReport({ messageId: 'sortsRows', data: { rows: '300k', table } }, meta).headline;
    assert.ok(headline.length <= HEADLINE_MAX_LENGTH, headline);
    assert.match(headline, /^Sorts ~300k rows of OrganisationAuthentication.*…$/);
    assert.equal(textOfReport({ messageId: 'sortsRows', data: { rows: '300k', table: 'orders' } }, meta).headline, 'Sorts ~300k rows of orders');
  });

  test('the registry check finds no messages, bad ids, stray braces and over-long templates', () => {
    const problems = ruleMetaProblems({ ...meta, messages: { 'Bad-id': 'Text {{ok}} and {{not ok}}', long: 'x'.repeat(HEADLINE_MAX_LENGTH + 1) } });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems.join('\n'), /'Bad-id' is not a camelCase word/);
    assert.match(problems.join('\n'), /braces that are not a \{\{name\}\} placeholder/);
    assert.match(problems.join('\n'), /121 characters before any data/);
    assert.deepEqual(ruleMetaProblems({ ...meta, messages: {} }), ['example-rule: declares no messages']);
  });
});

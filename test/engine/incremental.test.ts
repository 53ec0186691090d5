// An incremental engine (the language server's) re-analyses an edited file from what it kept: the syntax tree of
// the file (TypeScript's incremental parser), the parse trees of unchanged SQL texts and the plan rules' reports.
// Whatever it kept, its findings must be exactly those of an engine that starts from nothing, edit after edit:
// edits inside a statement, above it (everything shifts), inside a ${} (the site's text stays, its mapping changes),
// a budget comment added and removed, a site deleted, a syntax error and its repair.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import type { Finding } from '../../server/src/engine/types';
import { fixtureDatabase } from '../rules/planRuleTestUtils';

const FILE = '/workspace/src/incremental.ts';

const VERSIONS: string[] = [];
const base = `import { sql } from './db';
export const byEmail = (email: string) => pool.query('select id from orders where customer_email = $1', [email]);
export const byNote = (note: string) => sql\`select id, note from orders where note = \${note} order by created_at\`;
export const lower = (email: string) => sql\`select id from users where lower(email) = \${email}\`;
export const all = () => sql\`select count(*) from users\`;
export const like = (q: string) => sql\`select id from orders where note like '%' || \${q}\`;
`;
VERSIONS.push(base);
// Inside a statement: a different statement, planned anew.
VERSIONS.push(base.replace('where note = ${note}', 'where note = ${note} and id > 10'));
// Above everything: every site moves down a line and right by a few characters.
VERSIONS.push(`// a comment added at the top, with ünïcödé 😀\n${VERSIONS[1]}`);
// Inside a ${}: the SQL text is the same, its mapping to the file is not.
VERSIONS.push(VERSIONS[2].replace('where lower(email) = ${email}', 'where lower(email) = ${email.trim().toLowerCase()}'));
// A budget comment: the same statement and plan, other options.
VERSIONS.push(VERSIONS[3].replace('export const all', '// pglens: budget 1\nexport const all'));
VERSIONS.push(VERSIONS[4].replace('// pglens: budget 1\n', ''));
// An ignore comment for one rule.
VERSIONS.push(VERSIONS[5].replace('export const byEmail', '// pglens-ignore seq-scan-large-table\nexport const byEmail'));
// A syntax error, then its repair; a site deleted.
VERSIONS.push(VERSIONS[6].replace('select count(*) from users', 'select count(*) from users where'));
VERSIONS.push(VERSIONS[6]);
VERSIONS.push(VERSIONS[8].replace(/export const like.*\n/, ''));
// Back to the first version.
VERSIONS.push(base);
// The same length in one statement: every other query keeps its offsets, line and column, so its findings are the
// ones kept from the last analysis (KeptStatementResult); they must still be what a fresh engine says.
VERSIONS.push(base.replace("where note like '%'", "where note like '_'"));
// A schema change and a setting above the other queries: what the lock rules say of later statements may depend on
// them (the file's history), so nothing after them is kept.
const withAlter = base.replace('export const all', "export const alter = () => sql`alter table orders add column flag boolean`;\nexport const all");
VERSIONS.push(withAlter);
VERSIONS.push(withAlter.replace('export const byEmail', "export const timeout = () => sql`select set_config('lock_timeout', '2s', false)`;\nexport const byEmail"));
VERSIONS.push(withAlter.replace('export const byEmail', "export const timeout = () => sql`select set_config('lock_timeout', '0', false)`;\nexport const byEmail"));

/** Findings as plain data, without when an index migration would be written (a timestamp). */
function comparable(findings: Finding[]): unknown {
  return JSON.parse(JSON.stringify(findings).replace(/\d{14}_/g, 'TIMESTAMP_'));
}

describe('incremental analysis', () => {
  let database: DatabaseClient;
  before(async () => {
    database = (await fixtureDatabase()).client;
  });

  test('after every edit, the same findings as an engine without memory', async () => {
    const incremental = new Engine({ config: defaultConfig('/workspace'), database, incremental: true });
    let sawFindings = 0;
    let previous: Finding[] = [];
    let reused = 0;
    for (const [index, text] of VERSIONS.entries()) {
      const kept = await incremental.analyzeFile(FILE, text);
      reused += kept.findings.filter((finding) => previous.includes(finding)).length;
      previous = kept.findings;
      const fresh = await new Engine({ config: defaultConfig('/workspace'), database }).analyzeFile(FILE, text);
      assert.deepEqual(comparable(kept.findings), comparable(fresh.findings), `version ${index}`);
      assert.deepEqual(
        kept.statements.map((s) => [s.fileStart, s.fileEnd, s.statement.text]),
        fresh.statements.map((s) => [s.fileStart, s.fileEnd, s.statement.text]),
        `statements of version ${index}`,
      );
      for (const finding of kept.findings) assert.ok(finding.fileEnd <= text.length && finding.fileStart < finding.fileEnd, `version ${index}: ${finding.ruleId} in range`);
      sawFindings += kept.findings.length;
    }
    // The comparison means something only if there were findings to compare, plan rules' among them, and if some
    // were kept from the analysis before.
    assert.ok(sawFindings > VERSIONS.length, `${sawFindings} findings over ${VERSIONS.length} versions`);
    assert.ok(reused > 0, 'no finding was kept from the analysis before');
  });

  test('the version with the budget comment has its cost-budget finding, and the ignored rule stays silent', async () => {
    const incremental = new Engine({ config: defaultConfig('/workspace'), database, incremental: true });
    for (const text of VERSIONS.slice(0, 4)) await incremental.analyzeFile(FILE, text);
    const withBudget = await incremental.analyzeFile(FILE, VERSIONS[4]);
    assert.ok(withBudget.findings.some((f) => f.ruleId === 'cost-budget'), withBudget.findings.map((f) => f.ruleId).join(', '));
    const withoutBudget = await incremental.analyzeFile(FILE, VERSIONS[5]);
    assert.ok(!withoutBudget.findings.some((f) => f.ruleId === 'cost-budget'));
    const byEmailLine = VERSIONS[6].split('\n').findIndex((line) => line.startsWith('export const byEmail'));
    const ignored = await incremental.analyzeFile(FILE, VERSIONS[6]);
    assert.ok(!ignored.findings.some((f) => f.ruleId === 'seq-scan-large-table' && f.range.start.line === byEmailLine));
    assert.ok(withoutBudget.findings.some((f) => f.ruleId === 'seq-scan-large-table' && f.range.start.line === byEmailLine));
  });

  test('deferNewAdvice: findings come at once without new what-if planning, withAdvice brings the same findings with it', async () => {
    // A statement text no cache has seen, so its advice is new.
    const text = base.replace('where note = ${note}', `where note = \${note} and id <> ${Date.now() % 1_000_000}`);
    const deferred = await new Engine({ config: defaultConfig('/workspace'), database, incremental: true }).analyzeFile(FILE, text, { deferNewAdvice: true });
    assert.ok(deferred.withAdvice, 'some advice was deferred');
    const complete = await deferred.withAdvice;
    const direct = await new Engine({ config: defaultConfig('/workspace'), database }).analyzeFile(FILE, text);
    assert.deepEqual(comparable(complete.findings), comparable(direct.findings));
    assert.equal(complete.withAdvice, undefined);
    // The first answer has the same findings at the same places; only the advisor's additions differ.
    assert.deepEqual(
      deferred.findings.map((f) => [f.ruleId, f.fileStart, f.fileEnd]),
      direct.findings.map((f) => [f.ruleId, f.fileStart, f.fileEnd]),
    );
    // The edited statement (line 2) waited for its advice; the others' advice was known (earlier tests planned it).
    // The advisor's verdict is in the evidence (a suggestion, or null with what it tried).
    const advised = (findings: Finding[]) => findings.filter((f) => f.range.start.line === 2 && f.evidence !== undefined && 'indexSuggestion' in f.evidence).length;
    assert.equal(advised(deferred.findings), 0);
    assert.ok(advised(complete.findings) > 0, 'the complete analysis carries the advisor verdict for the new statement');
    // Advice now known is not deferred again.
    const again = await new Engine({ config: defaultConfig('/workspace'), database, incremental: true }).analyzeFile(FILE, text, { deferNewAdvice: true });
    assert.equal(again.withAdvice, undefined);
    assert.deepEqual(comparable(again.findings), comparable(direct.findings));
  });

  test('deferNewAdvice: a cancelled analysis rejects withAdvice with an AbortError, and nobody has to await it', async () => {
    const text = base.replace('where note = ${note}', `where note = \${note} and id <> ${(Date.now() % 1_000_000) + 1}`);
    const controller = new AbortController();
    const deferred = await new Engine({ config: defaultConfig('/workspace'), database, incremental: true }).analyzeFile(FILE, text, {
      deferNewAdvice: true,
      signal: controller.signal,
    });
    controller.abort();
    assert.ok(deferred.withAdvice);
    await assert.rejects(deferred.withAdvice, (error: Error) => error.name === 'AbortError');
  });
});


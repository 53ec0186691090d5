// The report formats for a run whose embedded schema was too thin (issue 11): the statements it could not plan are
// counted with the one reason, nothing says "no problems", and SARIF marks the run as not successful.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJson } from '../../server/src/cli/formatters/json';
import { coverageOf, reasonKind, type CheckReport } from '../../server/src/cli/formatters/report';
import { formatSarif } from '../../server/src/cli/formatters/sarif';
import { formatStylish } from '../../server/src/cli/formatters/stylish';

const LINE = 'the embedded database has too little of the schema to plan against: no schema files found (...); 2 of 2 tables the code names are missing (customers, orders). Point "schema" in pglens.json at the files that create these tables, or pass --db URL (--allow-incomplete-schema runs anyway)';
const skipped = [{ file: '/ws/src/a.ts', fileStart: 40, fileEnd: 60, reason: 'assembled SQL does not parse: syntax error at or near "AND"', expression: '${WHERE}', line: 3, column: 12 }];
const report: CheckReport = {
  root: '/ws',
  findings: [],
  skipped,
  coverage: coverageOf([{ kind: '.ts', checked: 2 }], skipped, () => '.ts'),
  filesChecked: 1,
  statementsChecked: 2,
  statementsPlanned: 0,
  notPlanned: [],
  schemaGaps: { count: 2, reason: 'the embedded database was built from no schema files' },
  schemaProblem: LINE,
  database: { kind: 'embedded', label: 'embedded', serverVersion: '18.6', note: 'embedded database, no rows (empty schema)' },
  toolVersion: '0.0.0-test',
};

test('stylish: no ✔, the gap counted in the summary with its reason', () => {
  const text = [...formatStylish(report, { color: false })].join('');
  assert.doesNotMatch(text, /✔/);
  assert.match(
    text,
    /^no problems found in what was planned: 1 file \(3 sites, 2 checked, 1 skipped\), 2 statements \(0 planned, 2 not planned: the embedded database was built from no schema files\) against embedded/m,
  );
});

test('JSON: the line and the gap, and the site counts in the summary', () => {
  const json = JSON.parse([...formatJson(report)].join(''));
  assert.equal(json.schemaProblem, LINE);
  assert.deepEqual(json.schemaGaps, { count: 2, reason: 'the embedded database was built from no schema files' });
  assert.deepEqual([json.summary.sites, json.summary.checked, json.summary.skipped, json.summary.notPlannedSchema], [3, 2, 1, 2]);
  assert.deepEqual(json.skipped, [{ file: 'src/a.ts', line: 3, column: 12, offset: 40, reason: skipped[0].reason, expression: '${WHERE}' }]);
});

test('SARIF: the run is not successful; the line is an error notification, the gap and the skipped site notes', () => {
  const sarif = JSON.parse([...formatSarif(report)].join(''));
  const invocation = sarif.runs[0].invocations[0];
  assert.equal(invocation.executionSuccessful, false);
  assert.deepEqual(
    invocation.toolExecutionNotifications.map((n: { level: string; message: { text: string } }) => `${n.level}: ${n.message.text}`),
    [`error: ${LINE}`, 'note: 2 statements not planned: the embedded database was built from no schema files', 'note: skipped: assembled SQL does not parse: syntax error at or near "AND" (could not know: ${WHERE})'],
  );
});

test('skip reasons are counted by kind: numbers are particulars, digits in a database name are not', () => {
  assert.equal(reasonKind('H2 SQL (folder src/main/resources/db/h2/ is named for it): not checked'), 'H2 SQL');
  assert.equal(reasonKind('more than 16 branches of conditional fragments'), 'more than N branches of conditional fragments');
});

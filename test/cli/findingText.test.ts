// A finding in each output format: the headline with a code frame in stylish (details with --verbose, the generic-plan
// note once per run), headline and details as fields in JSON, SARIF message.text = headline with the details in
// markdown and properties.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeFrame } from '../../server/src/cli/formatters/codeFrame';
import { formatJson } from '../../server/src/cli/formatters/json';
import { coverageOf, type CheckReport } from '../../server/src/cli/formatters/report';
import { formatSarif } from '../../server/src/cli/formatters/sarif';
import { formatStylish } from '../../server/src/cli/formatters/stylish';
import { findingMessage, splitMessage } from '../../server/src/engine/findingText';
import { LineIndex } from '../../server/src/engine/text';
import type { Finding } from '../../server/src/engine/types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-finding-text-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const file = path.join(root, 'orders.ts');
const source = `export const byCustomer = (id: number) =>\n  pool.query('select * from orders where customer_id = $1', [id]);\n`;
fs.writeFileSync(file, source);
const start = source.indexOf('orders where');
const lines = new LineIndex(source);
const GENERIC = 'generic plan: parameter values unknown, estimates use default selectivity';

function finding(headline: string, at: number, length: number): Finding {
  const details = [
    { kind: 'evidence' as const, text: 'The filter keeps ~7 of ~300k rows.' },
    { kind: 'advice' as const, text: 'CREATE INDEX ON orders (customer_id) cuts the estimated cost from 6,949 to 9 (-99.88%), verified with hypopg.' },
  ];
  return {
    ruleId: 'seq-scan-large-table',
    severity: 'warning',
    category: 'performance',
    headline,
    details,
    message: findingMessage({ headline, details }),
    file,
    range: lines.rangeOf(at, at + length),
    fileStart: at,
    fileEnd: at + length,
    notes: [GENERIC],
  };
}

const report: CheckReport = {
  root,
  findings: [finding('Seq Scan on orders reads all ~300k rows to keep ~7 where customer_id = $1', start, 'orders'.length), finding('Second finding', start, 6)],
  skipped: [],
  coverage: coverageOf([{ kind: '.ts', checked: 1 }], [], () => '.ts'),
  filesChecked: 1,
  statementsChecked: 1,
  statementsPlanned: 1,
  notPlanned: [],
  toolVersion: '0.0.0-test',
};

test('stylish: the headline, then the source line with a caret under the range; the generic-plan note once', () => {
  const text = [...formatStylish(report, { color: false })].join('');
  const out = text.split('\n');
  const headline = out.findIndex((l) => l.includes('Seq Scan on orders reads all ~300k rows to keep ~7 where customer_id = $1  seq-scan-large-table'));
  assert.ok(headline > 0, text);
  assert.equal(out[headline + 1], `    > 2 |   pool.query('select * from orders where customer_id = $1', [id]);`);
  assert.equal(out[headline + 2], `        |${' '.repeat(1 + 2 + "pool.query('select * from ".length)}^^^^^^`);
  assert.doesNotMatch(text, /The filter keeps/, 'details only with --verbose');
  assert.equal(text.split('generic plans').length, 2, 'the generic-plan note is said once');
  assert.match(text, /All of these findings come from generic plans: parameter values unknown/);
});

test('stylish --verbose: the details under the headline', () => {
  const text = [...formatStylish(report, { color: false, verbose: true })].join('');
  assert.match(text, /· The filter keeps ~7 of ~300k rows\./);
  assert.match(text, /· CREATE INDEX ON orders \(customer_id\) cuts the estimated cost/);
});

test('JSON: headline and details as fields, message the two joined', () => {
  const json = JSON.parse([...formatJson(report)].join(''));
  assert.equal(json.findings[0].headline, 'Seq Scan on orders reads all ~300k rows to keep ~7 where customer_id = $1');
  assert.deepEqual(json.findings[0].details.map((d: { kind: string }) => d.kind), ['evidence', 'advice']);
  assert.match(json.findings[0].message, /^Seq Scan on orders .* = \$1\. The filter keeps ~7 of ~300k rows\. CREATE INDEX/);
});

test('SARIF: message.text is the headline; markdown and properties carry the details', () => {
  const sarif = JSON.parse([...formatSarif(report)].join(''));
  const result = sarif.runs[0].results[0];
  assert.equal(result.message.text, 'Seq Scan on orders reads all ~300k rows to keep ~7 where customer\\_id = $1'.replace('\\_', '_'));
  assert.match(result.message.markdown, /^Seq Scan on orders .*customer\\_id = \$1\n\n- The filter keeps ~7 of ~300k rows\.\n- CREATE INDEX ON orders \(customer\\_id\)/);
  assert.equal(result.properties.details.length, 2);
});

test('code frame: a long line is clipped around the range, a multi-line range shows at most three lines', () => {
  const long = `${'x'.repeat(150)}TARGET${'y'.repeat(150)}`;
  const at = long.indexOf('TARGET');
  const frame = codeFrame([long], { start: { line: 0, character: at }, end: { line: 0, character: at + 6 } });
  assert.ok(frame[0].length < 120, frame[0]);
  assert.equal(frame[0].indexOf('TARGET') - frame[0].indexOf('|'), frame[1].indexOf('^') - frame[1].indexOf('|'));
  assert.equal(frame[1].trim().endsWith('^^^^^^'), true);
  const many = ['a', 'b', 'c', 'd', 'e', 'f'];
  const tall = codeFrame(many, { start: { line: 0, character: 0 }, end: { line: 5, character: 1 } });
  assert.equal(tall.length, 3 * 2 + 1);
  assert.match(tall.at(-1)!, /… 3 more lines/);
  const tabs = codeFrame(['\tselect *\tfrom t'], { start: { line: 0, character: 10 }, end: { line: 0, character: 14 } });
  assert.equal(tabs[0].indexOf('from') - tabs[0].indexOf('|'), tabs[1].indexOf('^') - tabs[1].indexOf('|'));
});

test('a one-text message splits at its first sentence; a long first sentence at its first colon outside brackets', () => {
  assert.deepEqual(splitMessage('Short headline. Then a detail. And e.g. another.'), {
    headline: 'Short headline.',
    details: [
      { kind: 'evidence', text: 'Then a detail.' },
      { kind: 'evidence', text: 'And e.g. another.' },
    ],
  });
  const long = `CREATE INDEX without CONCURRENTLY takes SHARE on order_items: blocks every write (INSERT, UPDATE, DELETE) of order_items until the transaction ends. Use CREATE INDEX CONCURRENTLY.`;
  const split = splitMessage(long);
  assert.equal(split.headline, 'CREATE INDEX without CONCURRENTLY takes SHARE on order_items');
  assert.equal(split.details[0].text, 'Blocks every write (INSERT, UPDATE, DELETE) of order_items until the transaction ends.');
  assert.equal(splitMessage('ALTER TABLE ... ADD COLUMN needs a lock. Set one.').headline, 'ALTER TABLE ... ADD COLUMN needs a lock.');
});

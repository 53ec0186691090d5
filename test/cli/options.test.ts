// The option table of a command: what the parser accepts, what it rejects and how it says so, and the --help lines it
// writes. The commands' own behaviour with these options is tested through the real CLI (failures.test.ts and others).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestName } from '../../server/src/engine/closestName';
import { formatOptionHelp, OptionError, parseOptions, type OptionSpec } from '../../server/src/cli/options';

const TABLE = [
  { name: 'db', kind: 'string', value: 'URL', help: 'connection URL' },
  { name: 'format', kind: 'string', value: 'FORMAT', choices: ['stylish', 'json', 'sarif'], default: 'stylish', help: 'output format' },
  { name: 'rule', kind: 'list', value: 'ID:SEVERITY', help: 'severity of a rule' },
  { name: 'color', kind: 'switch', help: 'colours' },
  { name: 'max-warnings', kind: 'string', value: 'N', help: 'a limit\nsecond line' },
  { name: 'verbose', kind: 'boolean', help: 'more' },
  { name: 'help', kind: 'boolean', short: 'h', help: 'this help' },
] as const satisfies readonly OptionSpec[];

test('values of every kind, in both spellings, with defaults for what is absent', () => {
  const { values, positionals } = parseOptions(['a.sql', '--db', 'postgres://x/y', '--rule=a:off', '--rule', 'b:error', '--no-color', 'dir', '-h'], TABLE);
  assert.deepEqual(values, { db: 'postgres://x/y', format: 'stylish', rule: ['a:off', 'b:error'], color: false, 'max-warnings': undefined, verbose: false, help: true });
  assert.deepEqual(positionals, ['a.sql', 'dir']);
  assert.equal(parseOptions([], TABLE).values.color, undefined, 'a switch given neither way is undefined');
  assert.equal(parseOptions(['--color'], TABLE).values.color, true);
});

test('a value may start with a dash unless it is an option; -- ends the options', () => {
  assert.equal(parseOptions(['--max-warnings', '-1'], TABLE).values['max-warnings'], '-1');
  assert.deepEqual(parseOptions(['--', '--verbose', '-h'], TABLE).positionals, ['--verbose', '-h']);
  assert.deepEqual(parseOptions(['-'], TABLE).positionals, ['-']);
});

const rejected: Array<[string[], string]> = [
  [['--frobnicate'], 'unknown option "--frobnicate"'],
  [['--fromat', 'json'], 'unknown option "--fromat" (did you mean "--format"?)'],
  [['--max-warning=3'], 'unknown option "--max-warning" (did you mean "--max-warnings"?)'],
  [['--no-colour'], 'unknown option "--no-colour" (did you mean "--no-color"?)'],
  [['--no-verbose'], 'unknown option "--no-verbose" (did you mean "--verbose"?)'],
  [['-x'], 'unknown option "-x"'],
  [['--db'], '--db needs a value (URL)'],
  [['--db', '--verbose'], '--db needs a value (URL)'],
  [['--format', 'xml'], 'unknown --format "xml" (use stylish, json or sarif)'],
  [['--verbose=yes'], '--verbose takes no value, got "yes"'],
];
for (const [argv, message] of rejected) {
  test(`rejected: ${argv.join(' ')}`, () => {
    assert.throws(() => parseOptions(argv, TABLE), (error: unknown) => error instanceof OptionError && error.message === message);
  });
}

test('--help lines come from the same table', () => {
  assert.equal(
    formatOptionHelp(TABLE),
    [
      '  --db URL             connection URL',
      '  --format FORMAT      output format',
      '  --rule ID:SEVERITY ...',
      '                       severity of a rule',
      '  --[no-]color         colours',
      '  --max-warnings N     a limit',
      '                       second line',
      '  --verbose            more',
      '  -h, --help           this help',
      '',
    ].join('\n'),
  );
});

test('did-you-mean: close names only', () => {
  assert.equal(closestName('chek', ['check', 'locks']), 'check');
  assert.equal(closestName('verb', ['verbose', 'version']), 'verbose');
  assert.equal(closestName('db-url', ['db', 'config']), undefined);
  assert.equal(closestName('seq-scan-large-tabel', ['seq-scan-large-table', 'large-sort']), 'seq-scan-large-table');
});

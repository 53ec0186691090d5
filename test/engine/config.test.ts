import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, findConfigFile, lineOfKey, loadConfig, mergeConfig, parseConfigText } from '../../server/src/engine/config';
import { allRuleMetas, ruleById } from '../../server/src/engine/rules/index';
import { ruleDefaultOptions, ruleOptionSchemas } from '../../server/src/engine/rules/rule';

describe('pglens.json', () => {
  test('comments, trailing commas, rule severities as strings or objects, env substitution', () => {
    const config = parseConfigText(
      `{
        // the dev database
        "database": { "url": "\${env:PGLENS_TEST_URL}", "statementTimeoutMs": 500, },
        "rules": { "seq-scan-large-table": "error", "large-sort": { "severity": "warn", "options": { "minRows": 5 } } },
        "exclude": ["legacy/**"],
      }`,
      '/repo/pglens.json',
      { PGLENS_TEST_URL: 'postgres://app@db/dev' },
    );
    assert.equal(config.database.url, 'postgres://app@db/dev');
    assert.equal(config.database.statementTimeoutMs, 500);
    assert.equal(config.database.lockTimeoutMs, 100);
    assert.deepEqual(config.rules['seq-scan-large-table'], { severity: 'error' });
    assert.deepEqual(config.rules['large-sort'], { severity: 'warning', options: { minRows: 5 } });
    assert.ok(config.exclude.includes('legacy/**'));
    assert.ok(config.exclude.includes('**/node_modules/**'), 'built-in excludes stay');
    assert.equal(config.root, '/repo');
  });

  test('an unset variable as the whole URL means no database from the config', () => {
    const config = parseConfigText('{ "database": { "url": "${env:NOT_SET_ANYWHERE}" } }', '/r/pglens.json', {});
    assert.equal(config.database.url, undefined);
  });

  const invalid: [string, string, RegExp][] = [
    ['bad JSON', '{ "rules": ', /pglens\.json:1: invalid JSON/],
    ['unknown key', '{ "databse": {} }', /pglens\.json:\d+: databse: unknown setting/],
    ['bad severity', '{ "rules": { "large-sort": "loud" } }', /rules\.large-sort: must be one of error, warning, info, hint, off/],
    ['wrong type', '{ "database": { "statementTimeoutMs": "2s" } }', /database\.statementTimeoutMs: must be a whole number from 1 to 600000, got "2s"/],
    ['bad share', '{ "advisor": { "minCostReduction": 50 } }', /advisor\.minCostReduction: must be a share between 0 and 1/],
    ['bad volume', '{ "volumes": { "orders": -1 } }', /volumes\.orders: must be a whole number of 0 or more/],
  ];
  for (const [name, text, message] of invalid) {
    test(`invalid config (${name}) names the file and the key`, () => {
      assert.throws(() => parseConfigText(text, '/repo/pglens.json', {}), (error: Error) => error instanceof ConfigError && message.test(error.message));
    });
  }

  // Against the rule registry: each problem names the file, the line of the key, the key, and the closest known name.
  const multiLine = (rules: string) => `{\n  "$schema": "./pglens.schema.json",\n  "rules": {\n    ${rules}\n  }\n}\n`;
  const againstRegistry: [string, string, string | RegExp][] = [
    ['an unknown rule', multiLine('"seq-scan": "warn"'), '/repo/pglens.json:4: rules.seq-scan: unknown rule (the rules are listed in docs/rules/); did you mean "seq-scan-large-table"?'],
    ['a misspelled rule', multiLine('"large-srot": "off"'), '/repo/pglens.json:4: rules.large-srot: unknown rule (the rules are listed in docs/rules/); did you mean "large-sort"?'],
    ['an unknown option', multiLine('"large-sort": { "options": { "minRow": 5 } }'), '/repo/pglens.json:4: rules.large-sort.options.minRow: unknown option (known: minRows); did you mean "minRows"?'],
    ['an option of a rule without options', multiLine('"truncate": { "options": { "minRows": 5 } }'), '/repo/pglens.json:4: rules.truncate.options.minRows: unknown option: the rule has no options'],
    ['a string for a number', multiLine('"large-sort": { "options": { "minRows": "lots" } }'), '/repo/pglens.json:4: rules.large-sort.options.minRows: must be a whole number of 0 or more, got "lots"'],
    ['a share out of range', multiLine('"seq-scan-large-table": { "options": { "maxSelectivity": 5 } }'), '/repo/pglens.json:4: rules.seq-scan-large-table.options.maxSelectivity: must be a number from 0 to 1, got 5'],
    ['a duration that is not one', multiLine('"missing-lock-timeout": { "options": { "lockTimeout": "5s; DROP TABLE x" } }'), '/repo/pglens.json:4: rules.missing-lock-timeout.options.lockTimeout: must be a PostgreSQL duration such as "5s" or "500ms", got "5s; DROP TABLE x"'],
    ['a misspelled severity', multiLine('"syntax-error": "warnning"'), '/repo/pglens.json:4: rules.syntax-error: must be one of error, warning, info, hint, off (or warn), got "warnning"; did you mean "warning"?'],
    ['a misspelled setting', '{\n  "datbase": {}\n}', /^\/repo\/pglens\.json:2: datbase: unknown setting \(known: database, include, .*\); did you mean "database"\?$/],
  ];
  for (const [name, text, message] of againstRegistry) {
    test(`config against the rule registry: ${name}`, () => {
      assert.throws(() => parseConfigText(text, '/repo/pglens.json', {}), (error: Error) => {
        assert.ok(error instanceof ConfigError);
        if (typeof message === 'string') assert.equal(error.message, message);
        else assert.match(error.message, message);
        return true;
      });
    });
  }

  test('every rule option of the registry is accepted at its default, and cost-budget declares maxCost', () => {
    for (const meta of allRuleMetas()) {
      const options = ruleDefaultOptions(meta);
      const config = parseConfigText(JSON.stringify({ rules: { [meta.id]: { severity: 'off', options } } }), '/repo/pglens.json', {});
      assert.deepEqual(config.rules[meta.id], { severity: 'off', options }, meta.id);
    }
    assert.equal(ruleOptionSchemas(ruleById('cost-budget')!.meta).maxCost?.type, 'number');
  });

  test('the line of a key: dotted property names, array items, nested keys', () => {
    const text = '{\n  "values": {\n    "orders.status": ["a"]\n  },\n  "include": [\n    "a",\n    "b"\n  ]\n}';
    assert.equal(lineOfKey(text, 'values.orders.status'), 3);
    assert.equal(lineOfKey(text, 'include[1]'), 7);
    assert.equal(lineOfKey(text, 'include'), 5);
    assert.equal(lineOfKey(text, 'nothing.here'), undefined);
  });

  test('found from a subfolder upwards, not beyond the repository root', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-config-'));
    fs.mkdirSync(path.join(root, 'repo', '.git'), { recursive: true });
    fs.mkdirSync(path.join(root, 'repo', 'src', 'db'), { recursive: true });
    fs.writeFileSync(path.join(root, 'pglens.json'), '{}');
    assert.equal(findConfigFile(path.join(root, 'repo', 'src', 'db')), undefined);
    fs.writeFileSync(path.join(root, 'repo', 'pglens.json'), '{ "postgresVersion": 16 }');
    const found = findConfigFile(path.join(root, 'repo', 'src', 'db'));
    assert.equal(found, path.join(root, 'repo', 'pglens.json'));
    assert.equal(loadConfig(found, root).postgresVersion, 16);
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('editor settings override the file', () => {
    const base = parseConfigText('{ "database": { "url": "postgres://file" }, "rules": { "large-sort": "off" } }', '/r/pglens.json', {});
    const merged = mergeConfig(base, { databaseUrl: 'postgres://editor', rules: { 'cost-budget': { severity: 'warning' } } });
    assert.equal(merged.database.url, 'postgres://editor');
    assert.deepEqual(merged.rules['large-sort'], { severity: 'off' });
    assert.deepEqual(merged.rules['cost-budget'], { severity: 'warning' });
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, findConfigFile, loadConfig, mergeConfig, parseConfigText } from '../../server/src/engine/config';

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
    ['bad JSON', '{ "rules": ', /pglens\.json: invalid JSON at line 1/],
    ['unknown key', '{ "databse": {} }', /pglens\.json: databse: unknown setting/],
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

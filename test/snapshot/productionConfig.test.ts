// pglens.json `production` (live mode): the URL with ${env:NAME}, the refresh interval's default and range.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_PRODUCTION_REFRESH_SECONDS, parseConfigText } from '../../server/src/engine/config';

test('production.url takes ${env:NAME}; refreshSeconds defaults to 300 and must be 30 s to a day', () => {
  const config = parseConfigText('{ "production": { "url": "${env:PROD_RO_URL}" } }', '/w/pglens.json', { PROD_RO_URL: 'postgres://reader@prod:5432/app' });
  assert.deepEqual(config.production, { url: 'postgres://reader@prod:5432/app', refreshSeconds: DEFAULT_PRODUCTION_REFRESH_SECONDS });
  assert.equal(DEFAULT_PRODUCTION_REFRESH_SECONDS, 300);
  assert.equal(parseConfigText('{ "production": { "url": "postgres://r@p/app", "refreshSeconds": 60 } }', '/w/pglens.json', {}).production?.refreshSeconds, 60);
  assert.throws(() => parseConfigText('{ "production": { "refreshSeconds": 5 } }', '/w/pglens.json', {}), (error: Error) => error instanceof ConfigError && /production\.refreshSeconds/.test(error.message));
  assert.throws(() => parseConfigText('{ "production": { "uri": "x" } }', '/w/pglens.json', {}), (error: Error) => error instanceof ConfigError && /production\.uri|uri/.test(error.message));
  assert.equal(parseConfigText('{}', '/w/pglens.json', {}).production, undefined);
});

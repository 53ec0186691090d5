// Values a client pastes into the text before PostgreSQL reads it (pg-promise, pg-format's %L) are literals, typed by where
// they stand: `pg_typeof('1 day')` runs. pglens plans them as `$n`, which PostgreSQL cannot type there; that is its
// reading, so a skip with the reason, never a plan-error. node-postgres binds a real parameter: the same error is true.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace } from './cliHarness';

before(() => ensureCliBuilt());

const cacheHome = mkdtempSync(join(tmpdir(), 'pglens-pasted-cache-'));
const workspaces: { remove(): void }[] = [];
after(() => {
  workspaces.forEach((w) => w.remove());
  rmSync(cacheHome, { recursive: true, force: true });
});

test('a pasted value PostgreSQL cannot type as $n is a skip; a bound node-postgres parameter stays a plan-error', async () => {
  const typeOf = "exports.typeOf = (interval) => db.one('SELECT pg_typeof(${interval}) AS t', { interval });";
  const formatted = "exports.typeOf = (value) => pool.query(format('SELECT pg_typeof(%L) AS t', value));";
  const created = scratchWorkspace({
    'pglens.json': '{}',
    'schema.sql': 'CREATE TABLE events (id int PRIMARY KEY, name text);\n',
    'src/events.js': [
      "const pgp = require('pg-promise')();",
      'const db = pgp(process.env.DATABASE_URL);',
      typeOf,
      "exports.byName = (name) => db.any('SELECT id FROM events WHERE name = ${name}', { name });",
      '',
    ].join('\n'),
    'src/formatted.js': [
      "const format = require('pg-format');",
      "const { Pool } = require('pg');",
      'const pool = new Pool();',
      formatted,
      '',
    ].join('\n'),
    'src/bound.js': [
      "const { Pool } = require('pg');",
      'const pool = new Pool();',
      "exports.typeOf = (value) => pool.query('SELECT pg_typeof($1) AS t', [value]);",
      '',
    ].join('\n'),
  });
  workspaces.push(created);
  const result = await runCli(['check', '.', '--format', 'json'], { cwd: created.dir, env: { XDG_CACHE_HOME: cacheHome } });
  const report = parseJsonReport(result);
  assert.deepEqual(
    report.findings.map((finding) => [finding.file, finding.line, finding.ruleId]),
    [['src/bound.js', 3, 'plan-error']],
    result.stdout + result.stderr,
  );
  assert.deepEqual(
    report.skipped.map((skip) => [skip.file, skip.line, skip.column, skip.reason, skip.expression]),
    [
      [
        'src/events.js',
        3,
        typeOf.indexOf('${interval}') + 1,
        'read as the value $1, a literal pg-promise pastes into the text, whose type PostgreSQL takes from where it stands: could not determine data type of parameter $1',
        '${interval}',
      ],
      [
        'src/formatted.js',
        4,
        formatted.lastIndexOf('value)') + 1,
        'read as the value $1, a literal pg-format pastes into the text, whose type PostgreSQL takes from where it stands: could not determine data type of parameter $1',
        'value',
      ],
    ],
  );
  assert.equal(report.summary.checked, 3, 'the schema, byName and the bound query are checked');
});

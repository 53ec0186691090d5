// Every lock rule is registered once, lives in the file named like it, and has its docs page and its test file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockingRules } from '../../server/src/engine/rules/locking/index';

const root = join(__dirname, '..', '..');
const EXPECTED = [
  'require-concurrent-index-creation',
  'require-concurrent-index-deletion',
  'concurrently-in-transaction',
  'adding-column-with-volatile-default',
  'changing-column-type',
  'setting-not-null',
  'constraint-missing-not-valid',
  'adding-unique-without-index',
  'renaming-column-or-table',
  'dropping-column',
  'vacuum-full-or-cluster',
  'refresh-materialized-view-without-concurrently',
  'lock-table',
  'truncate',
  'missing-lock-timeout',
  'update-or-delete-without-where',
  'reindex-without-concurrently',
  'dropping-table',
  'adding-not-null-column-without-default',
  'detach-partition-without-concurrently',
  'setting-tablespace',
  'validating-constraint-in-same-transaction',
];

test('the locking rules are exactly the issue\'s list, each once', () => {
  assert.deepEqual(lockingRules.map((r) => r.meta.id).sort(), [...EXPECTED].sort());
});

test('each rule: its own file, docs page and test; statement kind; category', () => {
  // index.ts lists them; support.ts and lockFixes.ts are what they share (lock facts, fixes of more than one edit).
  const ruleFiles = readdirSync(join(root, 'server/src/engine/rules/locking')).filter((f) => f.endsWith('.ts') && !['index.ts', 'support.ts', 'lockFixes.ts'].includes(f));
  assert.deepEqual(ruleFiles.map((f) => f.replace(/\.ts$/, '')).sort(), [...EXPECTED].sort());
  for (const rule of lockingRules) {
    const id = rule.meta.id;
    assert.match(id, /^[a-z]+(-[a-z]+)*$/);
    assert.equal(rule.meta.kind, 'statement', id);
    const expectedCategory = ['update-or-delete-without-where', 'renaming-column-or-table', 'dropping-column', 'dropping-table'].includes(id) ? 'correctness' : 'locking';
    assert.equal(rule.meta.category, expectedCategory, id);
    assert.ok(existsSync(join(root, 'test/rules', `${id}.test.ts`)), `test/rules/${id}.test.ts`);
    const docs = join(root, 'docs/rules', `${id}.md`);
    assert.ok(existsSync(docs), `docs/rules/${id}.md`);
    const page = readFileSync(docs, 'utf8');
    assert.ok(page.startsWith(`# ${id}\n`), `${id}: docs title`);
    assert.match(page, /## Example/, `${id}: example`);
    assert.match(page, new RegExp(`pglens-ignore ${id}`), `${id}: how to silence`);
    assert.match(page, new RegExp(`\\*\\*Category:\\*\\* ${expectedCategory} · \\*\\*Default severity:\\*\\* ${rule.meta.defaultSeverity}`), `${id}: header`);
  }
});

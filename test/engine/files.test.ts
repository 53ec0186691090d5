// Reading workspace files that are not what they claim: FIFOs, devices, symlinks out of the workspace, huge files,
// a byte order mark. Every case ends quickly with a reason (never a hang, never gigabytes read), in the reader and in
// the config loader, and config values that would silently do the wrong thing are refused.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, defaultConfig, loadConfig, parseConfigText } from '../../server/src/engine/config';
import { formatBytes, readWorkspaceTextFile } from '../../server/src/engine/files';
import { listSourceFiles } from '../../server/src/engine/workspace';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-files-test-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const workspace = path.join(scratch, 'ws');
const outside = path.join(scratch, 'outside');
fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
fs.mkdirSync(outside);
fs.writeFileSync(path.join(outside, 'secret.sql'), 'SELECT 1;\n');
fs.writeFileSync(path.join(workspace, 'src', 'ok.sql'), 'SELECT 1;\n');
fs.writeFileSync(path.join(workspace, 'src', 'bom.sql'), '\uFEFFSELECT 2;\n');
execFileSync('mkfifo', [path.join(workspace, 'src', 'pipe.sql')]);
fs.symlinkSync('/dev/zero', path.join(workspace, 'src', 'zero.sql'));
fs.symlinkSync(path.join(outside, 'secret.sql'), path.join(workspace, 'src', 'leak.sql'));
fs.symlinkSync(path.join(workspace, 'src', 'ok.sql'), path.join(workspace, 'src', 'alias.sql'));
fs.symlinkSync(outside, path.join(workspace, 'linked-outside'));
fs.symlinkSync(workspace, path.join(workspace, 'src', 'loop'));
// Sparse: 12.3 MB on paper, almost nothing on disk.
const huge = path.join(workspace, 'src', 'dump.sql');
fs.closeSync(fs.openSync(huge, 'w'));
fs.truncateSync(huge, Math.round(12.3 * 1024 * 1024));

/** Runs `work` and asserts it took less than a second (a FIFO read would block forever, /dev/zero fill memory). */
function quickly<T>(work: () => T): T {
  const started = Date.now();
  const result = work();
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  return result;
}

describe('readWorkspaceTextFile', () => {
  const read = (name: string, maxBytes = 2 * 1024 * 1024) => quickly(() => readWorkspaceTextFile(path.join(workspace, 'src', name), { root: workspace, maxBytes }));

  test('a regular file inside the workspace is read, and so is a symlink to one', () => {
    assert.deepEqual(read('ok.sql'), { ok: true, text: 'SELECT 1;\n' });
    assert.deepEqual(read('alias.sql'), { ok: true, text: 'SELECT 1;\n' });
  });

  test('a FIFO is refused without blocking', () => {
    assert.deepEqual(read('pipe.sql'), { ok: false, kind: 'not-regular', reason: 'not a regular file (FIFO)' });
  });

  test('a symlink to /dev/zero is refused: outside the workspace, and a device without a root', () => {
    assert.deepEqual(read('zero.sql'), { ok: false, kind: 'outside-workspace', reason: 'symlink leaves the workspace' });
    const noRoot = quickly(() => readWorkspaceTextFile(path.join(workspace, 'src', 'zero.sql'), { maxBytes: 1024 }));
    assert.deepEqual(noRoot, { ok: false, kind: 'not-regular', reason: 'not a regular file (character device)' });
  });

  test('a symlink to a file outside the workspace is not followed', () => {
    assert.deepEqual(read('leak.sql'), { ok: false, kind: 'outside-workspace', reason: 'symlink leaves the workspace' });
  });

  test('a file over the cap is refused with both sizes', () => {
    assert.deepEqual(read('dump.sql'), { ok: false, kind: 'too-large', reason: 'larger than 2 MB (12.3 MB)' });
    assert.equal(read('dump.sql', 20 * 1024 * 1024).ok, true);
  });

  test('a directory is not a file; a missing file says so', () => {
    assert.deepEqual(quickly(() => readWorkspaceTextFile(workspace, { maxBytes: 1024 })), { ok: false, kind: 'not-regular', reason: 'not a regular file (directory)' });
    assert.equal(read('nope.sql').ok, false);
    assert.equal((read('nope.sql') as { kind: string }).kind, 'missing');
  });

  test('a UTF-8 byte order mark is removed', () => {
    assert.deepEqual(read('bom.sql'), { ok: true, text: 'SELECT 2;\n' });
  });

  test('sizes read as people write them', () => {
    assert.deepEqual([formatBytes(900), formatBytes(256 * 1024), formatBytes(2 * 1024 * 1024), formatBytes(12.34 * 1024 * 1024)], ['900 bytes', '256 KB', '2 MB', '12.3 MB']);
  });
});

describe('file discovery', () => {
  test('lists special files by name (reading refuses them), follows links only inside the folder, and ends on loops', () => {
    const files = quickly(() => listSourceFiles([workspace], defaultConfig(workspace))).map((f) => path.relative(workspace, f));
    assert.deepEqual(files, ['src/alias.sql', 'src/bom.sql', 'src/dump.sql', 'src/ok.sql', 'src/pipe.sql']);
  });
});

describe('config files that are not files', () => {
  const configAt = (name: string, make: (file: string) => void) => {
    const dir = fs.mkdtempSync(path.join(scratch, 'cfg-'));
    const file = path.join(dir, 'pglens.json');
    make(file);
    return file;
  };
  const loadError = (file: string): string => {
    try {
      quickly(() => loadConfig(file, path.dirname(file), {}));
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    assert.fail('the config loaded');
  };

  test('a pglens.json symlinked to /dev/zero is one clear error within a second', () => {
    const file = configAt('zero', (f) => fs.symlinkSync('/dev/zero', f));
    assert.equal(loadError(file), `${file}: cannot be read: symlink leaves the workspace`);
  });

  test('a pglens.json that is a FIFO is one clear error within a second', () => {
    const file = configAt('fifo', (f) => execFileSync('mkfifo', [f]));
    assert.equal(loadError(file), `${file}: cannot be read: not a regular file (FIFO)`);
  });

  test('a pglens.json symlinked out of its folder is refused', () => {
    const file = configAt('leak', (f) => fs.symlinkSync(path.join(outside, 'secret.sql'), f));
    assert.equal(loadError(file), `${file}: cannot be read: symlink leaves the workspace`);
  });

  test('a pglens.json over 256 KB is refused', () => {
    const file = configAt('big', (f) => fs.writeFileSync(f, `{ "include": ["**/*.sql"] ${' '.repeat(300 * 1024)}}`));
    assert.equal(loadError(file), `${file}: cannot be read: larger than 256 KB (300 KB)`);
  });

  test('a pglens.json with a byte order mark loads', () => {
    const file = configAt('bom', (f) => fs.writeFileSync(f, '\uFEFF{ "database": { "statementTimeoutMs": 1500 } }\n'));
    assert.equal(loadConfig(file, path.dirname(file), {}).database.statementTimeoutMs, 1500);
  });
});

describe('config values', () => {
  const problem = (text: string): string => {
    try {
      parseConfigText(text, '/repo/pglens.json', {});
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
    assert.fail('the config was accepted');
  };

  test('timeouts are whole milliseconds in a sane range (0.4 would round to 0, no timeout at all)', () => {
    assert.equal(problem('{ "database": { "statementTimeoutMs": 0.4 } }'), '/repo/pglens.json:1: database.statementTimeoutMs: must be a whole number from 1 to 600000, got 0.4');
    assert.equal(problem('{ "database": { "statementTimeoutMs": 0 } }'), '/repo/pglens.json:1: database.statementTimeoutMs: must be a whole number from 1 to 600000, got 0');
    assert.equal(problem('{ "database": { "lockTimeoutMs": 3600000 } }'), '/repo/pglens.json:1: database.lockTimeoutMs: must be a whole number from 1 to 60000, got 3600000');
    assert.equal(problem('{ "database": { "maxConnections": 2.5 } }'), '/repo/pglens.json:1: database.maxConnections: must be a whole number from 1 to 100, got 2.5');
    assert.match(problem('{ "postgresVersion": 15.5 }'), /postgresVersion: must be a major version such as 15 or 16, got 15\.5/);
    const config = parseConfigText('{ "database": { "statementTimeoutMs": 1, "lockTimeoutMs": 60000 } }', '/repo/pglens.json', {});
    assert.deepEqual([config.database.statementTimeoutMs, config.database.lockTimeoutMs], [1, 60000]);
  });

  test('globs must compile: an unbalanced bracket is an error naming the key, not a run that checks nothing', () => {
    assert.match(problem('{ "include": ["["] }'), /^\/repo\/pglens\.json:\d+: include\[0\]: "\[" is not a valid glob: Missing closing: "\]"/);
    assert.match(problem('{ "exclude": ["ok/**", "src/{a,b"] }'), /^\/repo\/pglens\.json:\d+: exclude\[1\]: "src\/\{a,b" is not a valid glob/);
    assert.match(problem('{ "migrations": ["db/(x"] }'), /^\/repo\/pglens\.json:\d+: migrations\[0\]: /);
    assert.match(problem('{ "schema": [""] }'), /^\/repo\/pglens\.json:\d+: schema\[0\]: "" is not a valid glob/);
    assert.deepEqual(parseConfigText('{ "include": ["src/[ab]/*.ts"] }', '/repo/pglens.json', {}).include, ['src/[ab]/*.ts']);
  });

  test('files.maxBytes sets the size cap, within 1 KB and 256 MB', () => {
    assert.equal(parseConfigText('{}', '/repo/pglens.json', {}).files.maxBytes, 2 * 1024 * 1024);
    assert.equal(parseConfigText('{ "files": { "maxBytes": 65536 } }', '/repo/pglens.json', {}).files.maxBytes, 65536);
    assert.match(problem('{ "files": { "maxBytes": 10 } }'), /files\.maxBytes: must be a whole number from 1024 to 268435456, got 10/);
    assert.match(problem('{ "files": { "max": 10 } }'), /files\.max: unknown setting \(known: maxBytes, tests\)/);
  });
});

// Plan pages the language server writes for "show plan with index": a private mkdtemp directory and exclusive
// creation, so a symlink another user plants at a predictable path is never followed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as planPages from '../../server/src/lsp/planPages';

test('a plan page goes to a private 0700 directory as a 0600 file, and a symlink at the old shared path is not followed', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'pglens-planpages-test-'));
  const previousTmp = process.env.TMPDIR;
  try {
    // os.tmpdir() reads TMPDIR on every call: the pages land under the scratch folder, away from the real /tmp.
    process.env.TMPDIR = scratch;
    const markdown = '# Plan with index\n\nIndex Scan using orders_customer_email_idx\n';
    const victim = join(scratch, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    const oldPath = join(scratch, 'pglens-plans', `plan-with-index-${createHash('sha1').update(markdown).digest('hex').slice(0, 12)}.md`);
    mkdirSync(dirname(oldPath));
    symlinkSync(victim, oldPath);

    const { writePlanPage } = planPages;
    const page = writePlanPage(markdown);

    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.notEqual(dirname(page), dirname(oldPath));
    assert.equal(dirname(dirname(page)), scratch);
    assert.match(dirname(page), /pglens-plans-[^/]+$/);
    assert.equal(statSync(dirname(page)).mode & 0o777, 0o700);
    assert.equal(statSync(page).mode & 0o777, 0o600);
    assert.equal(readFileSync(page, 'utf8'), markdown);
    // The same page again is the same file, not an error; another page is another file in the same folder.
    assert.equal(writePlanPage(markdown), page);
    const other = writePlanPage('# another plan\n');
    assert.equal(dirname(other), dirname(page));
    assert.notEqual(other, page);
  } finally {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(scratch, { recursive: true, force: true });
  }
});

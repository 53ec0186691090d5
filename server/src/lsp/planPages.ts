// Plan pages (what-if plans as markdown) the language server asks the editor to open. They live in a directory made
// once per process with mkdtemp (0700, a name nobody can guess) and each file is created exclusively (0600): a
// predictable shared path such as /tmp/pglens-plans/<hash>.md could be pre-created by another user as a symlink to
// one of this user's files, which writing the page would then overwrite.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

let privateDir: string | undefined;

/** The process's own directory for plan pages, made on first use and removed when the process exits. */
export function planPagesDir(): string {
  if (privateDir === undefined || !fs.existsSync(privateDir)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-plans-'));
    fs.chmodSync(dir, 0o700); // mkdtemp already makes it 0700 on POSIX; said explicitly for any umask or platform
    if (privateDir === undefined) process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    privateDir = dir;
  }
  return privateDir;
}

/** Writes a plan page named by its content and returns its path; the same page again reuses the file. */
export function writePlanPage(markdown: string): string {
  const file = path.join(planPagesDir(), `plan-with-index-${createHash('sha1').update(markdown).digest('hex').slice(0, 12)}.md`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (error) {
    // Only this process writes in its private directory: an existing file is this same page, written before.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && fs.lstatSync(file).isFile()) return file;
    throw error;
  }
  try {
    fs.writeSync(fd, markdown);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

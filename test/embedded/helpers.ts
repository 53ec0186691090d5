// Temporary workspaces for the embedded-database tests. The cache directory is shared by every test file and
// run, so PGlite's initdb (seconds) happens once per machine and each test pays only for its own schema.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const sharedTestCacheDir = path.join(os.tmpdir(), 'pglens-embedded-test-cache');

/** Creates a temporary directory with `files` (relative path → content) and returns its path. */
export function makeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pglens-embedded-ws-'));
  writeFiles(root, files);
  return root;
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(root, relative);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

/** A cache directory of its own, for tests that inspect or damage cache entries. */
export function makeCacheDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'pglens-embedded-cache-'));
}

// Temporary workspaces and cache directories for the embedded-database tests. Every test file builds its
// databases afresh in a cache directory of its own (so a change to the generator is always tested), but the
// initdb'd template, which depends only on the PGlite version, is made once per machine and copied in.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { copyDataDirectory, ensureInitdbTemplate } from '../../server/src/engine/db/embedded/embeddedCache';

const sharedTemplateCacheDir = path.join(os.tmpdir(), 'pglens-embedded-test-template');

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

/** An empty cache directory holding only the initdb template. */
export async function makeCacheDir(): Promise<string> {
  const template = await ensureInitdbTemplate(sharedTemplateCacheDir, () => undefined);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'pglens-embedded-cache-'));
  await copyDataDirectory(template, path.join(cacheDir, path.basename(template)));
  return cacheDir;
}

export function removeTemporary(...directories: (string | undefined)[]): void {
  for (const directory of directories) if (directory) rmSync(directory, { recursive: true, force: true });
}

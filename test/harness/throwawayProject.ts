// A throwaway project on disk for tests that read a workspace's files: files by relative path, removed after `run`.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function withProject(files: Record<string, string>, run: (root: string) => void, prefix = 'pglens-project-'): void {
  const root = mkdtempSync(join(tmpdir(), prefix));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    run(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

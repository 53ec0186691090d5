// Which files of a workspace pglens reads: the config's include globs minus its exclude globs, relative to the
// folder of the config file. Explicitly named files are always read when pglens knows their language.

import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { PglensConfig } from './config';

const KNOWN_EXTENSIONS = new Set(['.sql', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts']);
const ALWAYS_SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export class MissingPathError extends Error {
  constructor(readonly target: string) {
    super(`no such file or directory: ${target}`);
    this.name = 'MissingPathError';
  }
}

export function isKnownSourceFile(file: string): boolean {
  return KNOWN_EXTENSIONS.has(path.extname(file).toLowerCase()) && !file.endsWith('.d.ts');
}

export function createFileFilter(config: PglensConfig): (file: string) => boolean {
  const include = picomatch(config.include, { dot: false });
  const exclude = picomatch(config.exclude, { dot: true });
  return (file: string) => {
    const relative = path.relative(config.root, path.resolve(file)).split(path.sep).join('/');
    // Files outside the config's folder are matched by their own path.
    const subject = relative.startsWith('..') ? path.resolve(file).split(path.sep).join('/') : relative;
    return include(subject) && !exclude(subject);
  };
}

/** Files to check under the given paths, sorted, each once. Throws MissingPathError for a path that does not exist. */
export function listSourceFiles(paths: string[], config: PglensConfig): string[] {
  const accepts = createFileFilter(config);
  const found = new Set<string>();
  const visit = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to check there
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!ALWAYS_SKIPPED_DIRS.has(entry.name)) visit(full);
      } else if (entry.isFile() && isKnownSourceFile(full) && accepts(full)) {
        found.add(full);
      }
    }
  };
  for (const target of paths) {
    const resolved = path.resolve(target);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new MissingPathError(target);
    }
    if (stat.isDirectory()) visit(resolved);
    else if (isKnownSourceFile(resolved)) found.add(resolved);
  }
  return [...found].sort();
}

// Which files of a workspace pglens reads: the config's include globs minus its exclude globs, relative to the
// folder of the config file. Explicitly named files are always read when pglens knows their language.

import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { PglensConfig } from './config';
import { realPathInside } from './files';

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

/**
 * Files to check under the given paths, sorted, each once. Throws MissingPathError for a path that does not exist.
 * Symlinked files and folders are followed only while their real path stays inside the folder they were found
 * under (a link to `/` or to another user's home is not walked), each real folder once (no loops). Whether a listed
 * file can be read (a FIFO, a device, too large) is decided when it is read, so it is reported there, once.
 */
export function listSourceFiles(paths: string[], config: PglensConfig): string[] {
  const accepts = createFileFilter(config);
  const found = new Set<string>();
  const visitedFolders = new Set<string>();
  const visit = (dir: string, root: string) => {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (visitedFolders.has(real)) return;
    visitedFolders.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to check there
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!ALWAYS_SKIPPED_DIRS.has(entry.name)) visit(full, root);
      } else if (entry.isSymbolicLink()) {
        if (ALWAYS_SKIPPED_DIRS.has(entry.name)) continue;
        const target = realPathInside(full, root);
        if (target === undefined) continue; // leaves the folder being checked, or dangles
        let stat: fs.Stats;
        try {
          stat = fs.statSync(target);
        } catch {
          continue;
        }
        if (stat.isDirectory()) visit(full, root);
        else if (isKnownSourceFile(full) && accepts(full)) found.add(full);
      } else if (isKnownSourceFile(full) && accepts(full)) {
        // Regular files, and FIFOs, devices or sockets named like source files: reading refuses those with a message.
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
    if (stat.isDirectory()) visit(resolved, resolved);
    else if (isKnownSourceFile(resolved)) found.add(resolved);
  }
  return [...found].sort();
}

// The one way pglens reads a file of a workspace (source, SQL, config, a framework's config file). A repository is
// untrusted input: a file may be a FIFO (a read blocks forever), a device (/dev/zero never ends), a symlink to a
// file of another user or a multi-gigabyte dump. Only regular files are read, symlinks are followed only while their
// target stays inside the workspace, and a size cap bounds memory. A refused file gives a reason, never an exception.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** Default cap for code and SQL files (`files.maxBytes` in pglens.json changes it). */
export const DEFAULT_MAX_SOURCE_BYTES = 2 * 1024 * 1024;
/** Cap for config files (pglens.json, drizzle.config.ts, knexfile.js): none of them is legitimately larger. */
export const MAX_CONFIG_BYTES = 256 * 1024;
/** The highest `files.maxBytes` a config may set; also the cap for re-reading a file that was already checked. */
export const MAX_CONFIGURABLE_BYTES = 256 * 1024 * 1024;

export type SkipKind = 'missing' | 'not-regular' | 'too-large' | 'outside-workspace' | 'unreadable';

export type WorkspaceFileResult =
  | { ok: true; text: string }
  | { ok: false; kind: SkipKind; /** e.g. "not a regular file (FIFO)", "larger than 2 MB (12.3 MB)" */ reason: string };

export interface ReadWorkspaceFileOptions {
  /** The workspace folder: a symlink whose real path leaves it is not followed. Without it, any target is read. */
  root?: string;
  maxBytes: number;
}

// O_NONBLOCK: opening a FIFO that a race put in place of the checked file returns at once instead of waiting for a
// writer (the fstat after the open then refuses it). Not defined on Windows, where FIFOs do not exist in the tree.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);

/** The file's text (UTF-8, a leading BOM removed), or why it was not read. Never blocks on a FIFO or device. */
export function readWorkspaceTextFile(file: string, options: ReadWorkspaceFileOptions): WorkspaceFileResult {
  const resolved = path.resolve(file);
  let target = resolved;
  try {
    const link = fs.lstatSync(resolved);
    if (link.isSymbolicLink() || options.root !== undefined) {
      // The real path also resolves symlinked folders on the way (`src -> /etc`), not only a symlinked last part.
      target = fs.realpathSync(resolved);
      if (options.root !== undefined && !isInside(target, realRoot(options.root))) {
        return { ok: false, kind: 'outside-workspace', reason: 'symlink leaves the workspace' };
      }
    }
  } catch (error) {
    return failureOf(error);
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (error) {
    return failureOf(error);
  }
  const refused = refusal(stat, options.maxBytes);
  if (refused) return refused;
  let fd: number;
  try {
    fd = fs.openSync(target, OPEN_FLAGS);
  } catch (error) {
    return failureOf(error);
  }
  try {
    // Checked again on the open file: the path may have been swapped between the stat and the open.
    const opened = refusal(fs.fstatSync(fd), options.maxBytes);
    if (opened) return opened;
    // Read at most one byte over the cap: a file that grew since the stat (or a /proc-like file that reports size 0)
    // cannot make pglens read more than the cap. The buffer starts at the size the stat gave and grows only if needed.
    let buffer = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, Math.max(stat.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > options.maxBytes) return tooLarge(length, options.maxBytes, true);
        const larger = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, buffer.length * 2));
        buffer.copy(larger);
        buffer = larger;
      }
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return { ok: true, text: stripBom(buffer.toString('utf8', 0, length)) };
  } catch (error) {
    return failureOf(error);
  } finally {
    fs.closeSync(fd);
  }
}

/** Removes one leading UTF-8 byte order mark (editors on Windows write it; PostgreSQL's parser and JSON reject it). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function refusal(stat: fs.Stats, maxBytes: number): WorkspaceFileResult | undefined {
  if (!stat.isFile()) return { ok: false, kind: 'not-regular', reason: `not a regular file (${fileTypeOf(stat)})` };
  if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes, false);
  return undefined;
}

function tooLarge(size: number, maxBytes: number, atLeast: boolean): WorkspaceFileResult {
  return { ok: false, kind: 'too-large', reason: `larger than ${formatBytes(maxBytes)} (${atLeast ? 'more than ' : ''}${formatBytes(atLeast ? maxBytes : size)})` };
}

export function fileTypeOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'directory';
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isCharacterDevice()) return 'character device';
  if (stat.isBlockDevice()) return 'block device';
  if (stat.isSocket()) return 'socket';
  if (stat.isSymbolicLink()) return 'symlink';
  return 'unknown type';
}

/** 2 MB, 256 KB, 12.3 MB, 900 bytes (binary units: 1 MB = 1,048,576 bytes). */
export function formatBytes(bytes: number): string {
  const trim = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1).replace(/\.0$/, ''));
  if (bytes >= 1024 * 1024 * 1024) return `${trim(bytes / (1024 * 1024 * 1024))} GB`;
  if (bytes >= 1024 * 1024) return `${trim(bytes / (1024 * 1024))} MB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function failureOf(error: unknown): WorkspaceFileResult {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, kind: 'missing', reason: 'no such file' };
  // O_NOFOLLOW: the path became a symlink between the check and the open.
  if (code === 'ELOOP') return { ok: false, kind: 'unreadable', reason: 'symlink loop or a symlink swapped in while reading' };
  return { ok: false, kind: 'unreadable', reason: `cannot read the file (${code ?? (error as Error).message})` };
}

const realRoots = new Map<string, string>();

/** The real path of a workspace root (memoised: a check run asks for the same root for every file). */
function realRoot(root: string): string {
  const resolved = path.resolve(root);
  let real = realRoots.get(resolved);
  if (real === undefined) {
    try {
      real = fs.realpathSync(resolved);
    } catch {
      real = resolved;
    }
    if (realRoots.size > 100) realRoots.clear();
    realRoots.set(resolved, real);
  }
  return real;
}

/** Whether `file` is `folder` or lies below it (both absolute and real). */
export function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** The real path of `file` when it lies inside the real path of `root`, else undefined (missing counts as outside). */
export function realPathInside(file: string, root: string): string | undefined {
  try {
    const real = fs.realpathSync(path.resolve(file));
    return isInside(real, realRoot(root)) ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A framework's config file (drizzle.config.ts, knexfile.js) read for one setting: its text, or '' when it is not a
 * regular file inside `root` under MAX_CONFIG_BYTES (the caller then uses the framework's default).
 */
export function readFrameworkConfigText(file: string, root: string): string {
  const read = readWorkspaceTextFile(file, { root, maxBytes: MAX_CONFIG_BYTES });
  return read.ok ? read.text : '';
}

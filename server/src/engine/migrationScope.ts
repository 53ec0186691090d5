// Which migrations a run judges. Migrations that already ran in production are history: their locks were taken years
// ago and their DML was written for a schema that has changed since, so judging them is noise. A migration is
// history when its name sorts at or before `migrations.baseline` (like strong_migrations' `start_after`), or, with
// `pglens check --changed-since REF` (like Atlas's `--git-base`), when git does not list it as changed since the merge
// base with REF. Down/rollback code is not what a deploy runs: it is left out unless `migrations.checkDown` is set.

import type * as childProcess from 'node:child_process';
import * as path from 'node:path';
import ts = require('typescript');

/** Why a migration is not judged, for skip reasons and `--verbose`. */
export type MigrationVerdict = { judged: true } | { judged: false; reason: string };

/**
 * The name a migration is ordered by: its file name without the extension, or its folder's name when the file name
 * says nothing (Prisma's `20240101_init/migration.sql`, `0001_x/up.sql`).
 */
export function migrationName(file: string): string {
  const base = path.basename(file).replace(/\.(up|down)\.sql$/i, '').replace(/\.[^.]+$/, '');
  const folder = path.basename(path.dirname(file));
  if (/^(migration|up|down|index)$/i.test(base)) return folder;
  // A helper or test beside a folder-per-migration's script (formbricks' `<stamp>_x/utils.test.ts`) belongs to that
  // migration: named by the folder, it sorts with it (as `utils.test` it sorted after every versioned name).
  if (versionOf(base) === undefined && versionOf(folder) !== undefined) return folder;
  return base;
}

/** Leading version digits of a name, Flyway's `V` prefix allowed: "V12__x" → "12", "20240101_x" → "20240101". */
function versionOf(name: string): string | undefined {
  return /^[Vv]?(\d+)/.exec(name)?.[1];
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  return x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether a migration name sorts at or before the baseline. Leading version numbers compare as numbers (V9 before
 * V10); a baseline that is only a version ("20240101000000") covers every migration of that version; otherwise
 * names compare as text.
 */
export function isAtOrBeforeBaseline(name: string, baseline: string): boolean {
  const version = versionOf(name);
  const baselineVersion = versionOf(baseline);
  if (version !== undefined && baselineVersion !== undefined) {
    const order = compareDigits(version, baselineVersion);
    if (order !== 0) return order < 0;
    if (/^[Vv]?\d+$/.test(baseline)) return true;
  }
  return name <= baseline;
}

/** The order migrations run in: leading version numbers as numbers, then names as text. */
export function compareMigrationNames(a: string, b: string): number {
  const x = versionOf(a);
  const y = versionOf(b);
  const byVersion = x !== undefined && y !== undefined ? compareDigits(x, y) : 0;
  return byVersion !== 0 ? byVersion : a < b ? -1 : a > b ? 1 : 0;
}

/** A failure of `--changed-since`: one line for the user (git missing, not a repository, an unknown ref). */
export class ChangedSinceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangedSinceError';
  }
}

class GitMissingError extends ChangedSinceError {}

function git(args: string[], cwd: string): string {
  try {
    // execFile, no shell: the ref is an argument, never command text. node:child_process is loaded here, on first use:
    // loading it with the bundle cost every `pglens check` of one file ~5% of its start-up (bench/startup.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFileSync } = require('node:child_process') as typeof childProcess;
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new GitMissingError('--changed-since needs git, which was not found on PATH');
    const said = String(e.stderr ?? '').trim().split('\n').filter(Boolean).pop() ?? e.message.split('\n')[0];
    throw new ChangedSinceError(said);
  }
}

/**
 * Absolute paths of the files changed since the merge base of HEAD and `ref` (committed, staged or not), plus
 * untracked files that are not ignored.
 */
export function filesChangedSince(ref: string, cwd: string): Set<string> {
  if (ref.trim() === '' || ref.startsWith('-')) throw new ChangedSinceError(`--changed-since takes a git ref (a branch, tag or commit), got "${ref}"`);
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel'], cwd).trim();
  } catch (error) {
    if (error instanceof GitMissingError) throw error;
    throw new ChangedSinceError(`--changed-since: ${path.resolve(cwd)} is not in a git repository (${(error as Error).message})`);
  }
  let base: string;
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top);
    base = git(['merge-base', 'HEAD', ref], top).trim();
  } catch {
    throw new ChangedSinceError(`--changed-since: "${ref}" is not a commit, branch or tag of this repository, or it has no common history with HEAD`);
  }
  const changed = git(['diff', '--name-only', '-z', '--no-renames', base, '--'], top).split('\0');
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], top).split('\0');
  return new Set([...changed, ...untracked].filter(Boolean).map((file) => path.resolve(top, file)));
}

/**
 * Rollback code: a `.down.sql`, `_down.sql` or `down.sql` file (golang-migrate, folders with `up.sql`/`down.sql`), a
 * .sql file in a `down/` (or `rollback/`, `undo/`, `revert/`) folder kept beside the up migrations, Flyway's undo
 * migrations (`U2__add_orders.sql`).
 */
export function isDownFile(file: string): boolean {
  return (
    /(^|[._/\\-])down\.sql$/i.test(file) ||
    /(^|[/\\])(down|downs|rollbacks?|undo|revert)[/\\][^/\\]+\.sql$/i.test(file) ||
    /(^|[/\\])U\d+(?:[._]\d+)*__[^/\\]+\.sql$/.test(file)
  );
}

/** The text with [start, end) replaced by spaces, line breaks kept: offsets, lines and columns stay the same. */
function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\r\n]/g, ' ') + text.slice(end);
}

/**
 * The text with its down/rollback code blanked out (same length, same lines): dbmate's `-- migrate:down` and goose's
 * `-- +goose Down` section of a .sql file, and in a JS/TS migration the `down` function (`export async function down`, `exports.down = `,
 * `down: async () => ...`, a `down()` method). Undefined when there is none.
 */
export function withoutDownCode(file: string, text: string): string | undefined {
  if (/\.sql$/i.test(file)) {
    // dbmate's `-- migrate:down`, goose's `-- +goose Down`, each up to the next up marker or the end.
    const markers = [
      { down: /^[ \t]*--[ \t]*migrate:down\b.*$/im, up: /^[ \t]*--[ \t]*migrate:up\b/im },
      { down: /^[ \t]*--[ \t]*\+goose[ \t]+down\b.*$/im, up: /^[ \t]*--[ \t]*\+goose[ \t]+up\b/im },
    ];
    let blanked: string | undefined;
    for (const marker of markers) {
      const down = marker.down.exec(blanked ?? text);
      if (!down) continue;
      const upAgain = marker.up.exec((blanked ?? text).slice(down.index + down[0].length));
      const end = upAgain ? down.index + down[0].length + upAgain.index : text.length;
      blanked = blank(blanked ?? text, down.index, end);
    }
    return blanked;
  }
  if (!/\.(c|m)?(t|j)sx?$/i.test(file) || !/\bdown\b/.test(text)) return undefined;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const ranges: Array<[number, number]> = [];
  const isDownName = (name: ts.Node | undefined) => !!name && (ts.isIdentifier(name) || ts.isStringLiteral(name)) && name.text === 'down';
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && isDownName(node.name) && node.body) ranges.push([node.body.getStart(source), node.body.end]);
    else if ((ts.isMethodDeclaration(node) || ts.isPropertyAssignment(node)) && isDownName(node.name)) {
      const body = ts.isMethodDeclaration(node) ? node.body : node.initializer;
      if (body) ranges.push([body.getStart(source), body.end]);
    } else if (ts.isVariableDeclaration(node) && isDownName(node.name) && node.initializer) ranges.push([node.initializer.getStart(source), node.initializer.end]);
    else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      node.left.name.text === 'down'
    ) {
      ranges.push([node.right.getStart(source), node.right.end]);
    } else ts.forEachChild(node, visit);
  };
  visit(source);
  if (ranges.length === 0) return undefined;
  return ranges.reduce((out, [start, end]) => blank(out, start, end), text);
}

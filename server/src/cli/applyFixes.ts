// `pglens check --fix`: the edits findings carry (the same the editor offers as quick fixes), applied to the files.
// Index migrations the advisor proposes are new files in the user's migrations folder: written only with
// `--fix-type index` (an explicit opt-in), checked as the editor checks them, and never over an existing file. The
// migration that finishes an edit (VALIDATE CONSTRAINT after NOT VALID) is part of that edit's fix, written after it.
// A file changed since it was analysed is left alone; a file is written whole (temporary file, then rename).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkMigrationFile, type MigrationFile } from '../engine/advise/migration';
import type { FileEdit, Finding, SuggestedFix } from '../engine/types';

export type FixType = 'edit' | 'index';
export const FIX_TYPES: readonly FixType[] = ['edit', 'index'];

export interface FixOutcome {
  /** Findings whose fix was applied (the CLI reports the others). */
  fixed: Set<Finding>;
  filesChanged: string[];
  migrationsWritten: string[];
  /** One line each: what was not applied and why. */
  problems: string[];
}

/**
 * The fix a finding would get: its first fix of an allowed type. A fix that only writes a file (Add index) is an
 * `index` fix; one whose file finishes its edits (the VALIDATE CONSTRAINT migration after NOT VALID) is an `edit` fix.
 */
function chosenFix(finding: Finding, types: ReadonlySet<FixType>): SuggestedFix | undefined {
  return (finding.fixes ?? []).find((fix) => ((fix.edits?.length ?? 0) > 0 ? types.has('edit') : fix.newFile !== undefined && types.has('index')));
}

/**
 * Applies the fixes of `findings` of the allowed types. `texts` holds each file's text as analysed: edits are offsets
 * into it. Edits that overlap an edit already taken in the same file are skipped (the finding stays reported).
 */
export function applyFixes(findings: readonly Finding[], texts: ReadonlyMap<string, string>, types: ReadonlySet<FixType>): FixOutcome {
  const outcome: FixOutcome = { fixed: new Set(), filesChanged: [], migrationsWritten: [], problems: [] };
  const editsByFile = new Map<string, Array<{ edit: FileEdit; finding: Finding }>>();
  const pending: Array<{ finding: Finding; fix: SuggestedFix }> = [];
  const followUps: Array<{ finding: Finding; file: NonNullable<SuggestedFix['newFile']> }> = [];
  for (const finding of findings) {
    const fix = chosenFix(finding, types);
    if (fix) pending.push({ finding, fix });
  }
  // Per finding, all of its fix or none: a fix's edits are taken together if none overlaps an edit already taken.
  const taken = new Map<string, FileEdit[]>();
  const overlaps = (edit: FileEdit) => (taken.get(edit.file) ?? []).some((other) => edit.start < other.end && other.start < edit.end || (edit.start === edit.end && edit.start === other.start));
  for (const { finding, fix } of pending) {
    const edits = fix.edits ?? [];
    if (edits.some((edit) => !texts.has(edit.file))) {
      outcome.problems.push(`${finding.ruleId}: not fixed: its edit is in a file this run did not read`);
      continue;
    }
    if (edits.some(overlaps)) continue;
    // A file that finishes edits is written once its edits are (below): never the migration without the edit.
    if (fix.newFile && edits.length > 0) followUps.push({ finding, file: fix.newFile });
    else if (fix.newFile) {
      const written = writeMigration(fix.newFile);
      if (written) {
        outcome.problems.push(written);
        continue;
      }
      outcome.migrationsWritten.push(fix.newFile.path);
    }
    for (const edit of edits) {
      taken.set(edit.file, [...(taken.get(edit.file) ?? []), edit]);
      editsByFile.set(edit.file, [...(editsByFile.get(edit.file) ?? []), { edit, finding }]);
    }
    outcome.fixed.add(finding);
  }
  for (const [file, entries] of editsByFile) {
    const analysed = texts.get(file) as string;
    let current: string;
    try {
      current = fs.readFileSync(file, 'utf8');
    } catch (error) {
      outcome.problems.push(`${file}: not fixed: ${(error as Error).message}`);
      entries.forEach(({ finding }) => outcome.fixed.delete(finding));
      continue;
    }
    if (current !== analysed) {
      outcome.problems.push(`${file}: not fixed: it changed while pglens was checking it`);
      entries.forEach(({ finding }) => outcome.fixed.delete(finding));
      continue;
    }
    // From the end of the file backwards, so that earlier offsets stay valid.
    let text = analysed;
    for (const { edit } of [...entries].sort((a, b) => b.edit.start - a.edit.start || b.edit.end - a.edit.end)) {
      text = text.slice(0, edit.start) + edit.newText + text.slice(edit.end);
    }
    writeWhole(file, text);
    outcome.filesChanged.push(file);
  }
  for (const { finding, file } of followUps) {
    if (!outcome.fixed.has(finding)) continue;
    const problem = writeMigration(file);
    if (problem) outcome.problems.push(`${problem} (its statement was edited: write that migration yourself, the fix's SQL)`);
    else outcome.migrationsWritten.push(file.path);
  }
  outcome.filesChanged.sort();
  return outcome;
}

/** Writes a migration the advisor proposed, as the editor's quick fix does. Returns why not, or undefined. */
function writeMigration(file: SuggestedFix['newFile'] & object): string | undefined {
  try {
    checkMigrationFile(file as MigrationFile);
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.content, { flag: 'wx' });
    return undefined;
  } catch (error) {
    return `${file.path}: not written: ${(error as Error).message}`;
  }
}

function writeWhole(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.pglens-fix`);
  const mode = fs.statSync(file).mode;
  fs.writeFileSync(temporary, text, { mode });
  fs.renameSync(temporary, file);
}

// Code actions for pglens diagnostics: the fixes a finding carries (edits in files, a new migration file), "ignore
// this rule here" (the ignore comment in the comment syntax of the place it goes) and "open rule documentation".

import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type CreateFile,
  type Diagnostic,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { TextDocument as TextDocuments } from 'vscode-languageserver-textdocument';
import type { AnalyzedStatement, FileAnalysis } from '../engine/analyze';
import { MAX_CONFIGURABLE_BYTES, readWorkspaceTextFile } from '../engine/files';
import type { Finding, SuggestedFix } from '../engine/types';
import { checkMigrationFile } from '../engine/advise/migration';
import { isDiagnosticData } from './diagnostics';
import { contains } from './hover';
import { renderPlanTreeMarkdown, whatIfIndexResolver, type WhatIfIndex } from './planRender';
import { formatCost, type PlanNode } from '../engine/plan/model';
import { pathToUri, uriToPath } from './workspaceFolders';

export const OPEN_RULE_DOCS_COMMAND = 'pglens.server.openRuleDocs';
/** Opens the what-if plan of a suggested index (a markdown page written to a temp folder, shown with showDocument). */
export const SHOW_PLAN_WITH_INDEX_COMMAND = 'pglens.server.showPlanWithIndex';
/**
 * Runs after a fix's edit that created a file (VS Code, and any client that runs a code action's command after its
 * edit): opens the file and says what was written. Argument: FileWrittenArguments.
 */
export const FILE_WRITTEN_COMMAND = 'pglens.server.fileWritten';
/**
 * For clients that cannot create files through a WorkspaceEdit (Neovim, Emacs/eglot): the server writes the new file
 * itself (checked again, never over an existing file), applies the fix's other edits with workspace/applyEdit,
 * then opens the file and says so. Argument: WriteFileArguments.
 */
export const WRITE_FILE_COMMAND = 'pglens.server.writeFile';

export interface FileWrittenArguments {
  uri: string;
  message: string;
}
export interface WriteFileArguments {
  path: string;
  content: string;
  /** The statements the file holds, each checked, and the file checked to hold exactly them (checkMigrationFile). */
  statements?: string[];
  /** The fix's edits in existing files, as a WorkspaceEdit of plain `changes`. */
  edit?: WorkspaceEdit;
  message: string;
}

/**
 * What a fix that writes a file says once it is written: the file, and for a fix that is only the file (Add index)
 * that the finding stays until it runs; a fix that also edits the flagged statement (NOT VALID) ends the finding there.
 */
export function fileWrittenMessage(fix: SuggestedFix, root: string | undefined): string {
  const file = fix.newFile!.path;
  const shown = root && file.startsWith(root) ? file.slice(root.length).replace(/^[\\/]+/, '') : file;
  if ((fix.edits?.length ?? 0) > 0) return `pglens wrote ${shown} and edited the statement: ${fix.title}.`;
  return `pglens wrote ${shown}: ${fix.title}. The finding stays until the migration has run on the database pglens plans against.`;
}

export interface IndexSuggestionEvidence {
  sql: string;
  costBefore?: number;
  costAfter?: number | null;
  reduction?: number | null;
  verifiedWith?: string | null;
  planAfter?: string;
  /** The what-if plan's tree (set by the advisor in process; not in JSON output). */
  planAfterRoot?: PlanNode;
  indexes?: { table: string; method?: string; keys?: { text: string }[] }[];
}

/** The index suggestion a finding carries (the advisor's evidence), if any. */
export function indexSuggestionOf(finding: Finding): IndexSuggestionEvidence | undefined {
  return (finding.evidence?.['indexSuggestion'] as IndexSuggestionEvidence | null | undefined) ?? undefined;
}

/** The suggestion's indexes, each with its CREATE INDEX (for naming what-if indexes in plans). */
export function whatIfIndexes(suggestion: IndexSuggestionEvidence): WhatIfIndex[] {
  const statements = suggestion.sql.split(/;\s*\n/);
  return (suggestion.indexes ?? []).map((index, i) => ({ ...index, sql: statements[i] ?? suggestion.sql }));
}

/**
 * The page "Show plan with this index" opens: the index, the cost before and after, and the what-if plan drawn by
 * the plan renderer every plan view uses, with the what-if index shown as its CREATE INDEX.
 */
export function planWithIndexMarkdown(finding: Finding): string | undefined {
  const suggestion = indexSuggestionOf(finding);
  if (!suggestion?.planAfterRoot && !suggestion?.planAfter) return undefined;
  const cost = (n: number | null | undefined) => (typeof n === 'number' ? formatCost(n) : '?');
  const how =
    suggestion.verifiedWith === 'hypopg'
      ? 'planned with a hypothetical index (hypopg): nothing was created'
      : 'planned with the index built inside a transaction that was rolled back';
  const plan = suggestion.planAfterRoot
    ? renderPlanTreeMarkdown(suggestion.planAfterRoot, { resolveIndex: whatIfIndexResolver(whatIfIndexes(suggestion)), title: 'Plan with this index' })
    : ['```text', suggestion.planAfter, '```'].join('\n');
  return [
    '# pglens: plan with this index',
    '',
    '```sql',
    suggestion.sql,
    '```',
    '',
    `Estimated cost ${cost(suggestion.costBefore)} → ${cost(suggestion.costAfter)}${typeof suggestion.reduction === 'number' ? ` (-${(suggestion.reduction * 100).toFixed(1)}%)` : ''}; ${how}.`,
    '',
    plan,
    '',
  ].join('\n');
}

export interface CodeActionSupport {
  /** The client applies WorkspaceEdit.documentChanges (versioned edits, file creation). */
  documentChanges: boolean;
  createFile: boolean;
}

export function codeActionsFor(
  params: CodeActionParams,
  document: TextDocument,
  analysis: FileAnalysis,
  support: CodeActionSupport,
  openDocument: (uri: string) => TextDocument | undefined,
  root?: string,
): CodeAction[] {
  const actions: CodeAction[] = [];
  const seenIgnores = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== 'pglens') continue;
    const finding = findingFor(diagnostic, analysis);
    if (!finding) continue;
    for (const fix of finding.fixes ?? []) {
      const action = fixAction(fix, support, openDocument, root);
      if (action) actions.push({ ...action, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.verified === true });
    }
    const planPage = planWithIndexMarkdown(finding);
    if (planPage) {
      actions.push({
        title: 'Show plan with this index',
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: 'Show plan with this index', command: SHOW_PLAN_WITH_INDEX_COMMAND, arguments: [planPage] },
      });
    }
    const statement = analysis.statements.find((s) => s.fileStart <= finding.fileStart && finding.fileStart <= s.fileEnd);
    const ignoreKey = `${finding.ruleId}@${statement?.fileStart ?? finding.fileStart}`;
    if (!seenIgnores.has(ignoreKey)) {
      seenIgnores.add(ignoreKey);
      const edit = ignoreCommentEdit(document, finding, statement);
      actions.push({
        title: `Ignore ${finding.ruleId} here (pglens-ignore comment)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: { changes: { [document.uri]: [edit] } },
      });
    }
    if (finding.docsUrl) {
      actions.push({
        title: `Open documentation for ${finding.ruleId}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Open documentation for ${finding.ruleId}`, command: OPEN_RULE_DOCS_COMMAND, arguments: [finding.docsUrl] },
      });
    }
  }
  return actions;
}

/**
 * A fix as a code action: a WorkspaceEdit where the client can apply all of it; a fix that creates a file also
 * opens it afterwards and says so (FILE_WRITTEN_COMMAND). A client that cannot create files gets the
 * WRITE_FILE_COMMAND instead, which does the same on the server's side.
 */
function fixAction(fix: SuggestedFix, support: CodeActionSupport, openDocument: (uri: string) => TextDocument | undefined, root: string | undefined): Omit<CodeAction, 'kind'> | undefined {
  if (fix.newFile && newFileAllowed(fix.newFile)) {
    const message = fileWrittenMessage(fix, root);
    if (support.documentChanges && support.createFile) {
      const edit = workspaceEditFor(fix, support, openDocument);
      if (!edit) return undefined;
      const args: FileWrittenArguments = { uri: pathToUri(fix.newFile.path), message };
      return { title: fix.title, edit, command: { title: fix.title, command: FILE_WRITTEN_COMMAND, arguments: [args] } };
    }
    const others = workspaceEditFor({ ...fix, newFile: undefined }, { documentChanges: false, createFile: false }, openDocument);
    if ((fix.edits?.length ?? 0) > 0 && !others) return undefined;
    const statements = (fix.newFile as { statements?: string[] }).statements;
    const args: WriteFileArguments = { path: fix.newFile.path, content: fix.newFile.content, statements, edit: others, message };
    return { title: fix.title, command: { title: fix.title, command: WRITE_FILE_COMMAND, arguments: [args] } };
  }
  const edit = workspaceEditFor(fix, support, openDocument);
  return edit ? { title: fix.title, edit } : undefined;
}

/**
 * WRITE_FILE_COMMAND's work: the file checked as a migration pglens wrote (a plain path inside `roots`, its SQL
 * exactly its statements), created exclusively (never over an existing file). Returns the file's URI or throws.
 */
export function writeNewFile(args: WriteFileArguments, roots: string[]): string {
  const file = { path: args.path, content: args.content, statements: Array.isArray(args.statements) ? args.statements.map(String) : undefined };
  if (typeof file.path !== 'string' || typeof file.content !== 'string') throw new Error('pglens: a file to write needs a path and content');
  checkMigrationFile(file);
  if (!roots.some((root) => isInsideFolder(root, file.path))) throw new Error(`pglens did not write ${file.path}: it is outside the workspace folders`);
  fs.mkdirSync(path.dirname(file.path), { recursive: true });
  fs.writeFileSync(file.path, file.content, { flag: 'wx' });
  return pathToUri(file.path);
}

function isInsideFolder(root: string, file: string): boolean {
  const relative = path.relative(path.resolve(root), path.resolve(file));
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** The finding a diagnostic came from: by rule and offsets, else by rule and range (the diagnostic may be older). */
function findingFor(diagnostic: Diagnostic, analysis: FileAnalysis): Finding | undefined {
  const data = diagnostic.data;
  if (isDiagnosticData(data)) {
    const exact = analysis.findings.find((f) => f.ruleId === data.ruleId && f.fileStart === data.fileStart && f.fileEnd === data.fileEnd);
    if (exact) return exact;
  }
  const ruleId = typeof diagnostic.code === 'string' ? diagnostic.code : isDiagnosticData(data) ? data.ruleId : undefined;
  return analysis.findings.find((f) => f.ruleId === ruleId && contains(f.range, diagnostic.range.start));
}

const SQL_LANGUAGE = /\.(sql|psql|pgsql)$/i;

/**
 * The ignore comment goes on its own line above the statement (SQL files: `-- pglens-ignore rule`) or above the line
 * where the SQL starts in JS/TS (`// pglens-ignore rule`), so it is always valid code and never lands inside a
 * template; an existing ignore comment there gets the rule appended instead.
 */
export function ignoreCommentEdit(document: TextDocument, finding: Finding, statement: AnalyzedStatement | undefined): TextEdit {
  const text = document.getText();
  const isSql = SQL_LANGUAGE.test(finding.file) || document.languageId === 'sql';
  const anchorOffset = isSql ? (statement?.fileStart ?? finding.fileStart) : (statement?.statement.site.fileStart ?? finding.fileStart);
  const line = document.positionAt(anchorOffset).line;
  const lineText = lineAt(text, document, line);
  const indentation = /^[ \t]*/.exec(lineText)![0];
  if (line > 0) {
    const previous = lineAt(text, document, line - 1);
    const existing = /pglens-ignore((?:[ \t]+[\w-]+(?:[ \t]*,[ \t]*[\w-]+)*)?)/.exec(previous);
    if (existing && existing[1].trim().length > 0) {
      const end = existing.index + existing[0].length;
      return { range: { start: { line: line - 1, character: end }, end: { line: line - 1, character: end } }, newText: `, ${finding.ruleId}` };
    }
  }
  const comment = isSql ? `-- pglens-ignore ${finding.ruleId}` : `// pglens-ignore ${finding.ruleId}`;
  return { range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indentation}${comment}${eolOf(text)}` };
}

function lineAt(text: string, document: TextDocument, line: number): string {
  const start = document.offsetAt({ line, character: 0 });
  const end = line + 1 < document.lineCount ? document.offsetAt({ line: line + 1, character: 0 }) : text.length;
  return text.slice(start, end).replace(/\r?\n$/, '');
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** A finding's fix as a WorkspaceEdit: edits by offsets become ranges in the file's current text; a new file is created. */
export function workspaceEditFor(fix: SuggestedFix, support: CodeActionSupport, openDocument: (uri: string) => TextDocument | undefined): WorkspaceEdit | undefined {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of fix.edits ?? []) {
    const uri = edit.file.includes('://') ? edit.file : pathToUri(edit.file);
    const document = openDocument(uri) ?? readDocument(uri);
    if (!document) return undefined;
    const edits = byFile.get(uri) ?? [];
    edits.push({ range: { start: document.positionAt(edit.start), end: document.positionAt(edit.end) }, newText: edit.newText });
    byFile.set(uri, edits);
  }
  if (fix.newFile && !newFileAllowed(fix.newFile)) return undefined;
  if (fix.newFile && !(support.documentChanges && support.createFile)) {
    // Without file creation the client could only get half of the fix.
    if (byFile.size === 0) return undefined;
  }
  if (support.documentChanges) {
    const documentChanges: (TextDocumentEdit | CreateFile)[] = [];
    for (const [uri, edits] of byFile) documentChanges.push({ textDocument: { uri, version: openDocument(uri)?.version ?? null }, edits });
    if (fix.newFile && support.createFile) {
      const uri = pathToUri(fix.newFile.path);
      documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: false, overwrite: false } });
      documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: fix.newFile.content }] });
    }
    return documentChanges.length > 0 ? { documentChanges } : undefined;
  }
  if (byFile.size === 0) return undefined;
  return { changes: Object.fromEntries(byFile) };
}

/**
 * A new file pglens offers to create is a migration it wrote: a plain absolute path with a safe file name, whose SQL
 * parses to exactly the statements meant (migration.ts checkMigrationFile, run again here on what the client gets).
 */
function newFileAllowed(file: NonNullable<SuggestedFix['newFile']>): boolean {
  if (file.path.includes('://')) return false;
  try {
    checkMigrationFile(file);
    return true;
  } catch {
    return false;
  }
}

function readDocument(uri: string): TextDocument | undefined {
  const file = uriToPath(uri);
  if (!file) return undefined;
  // Regular files only (never a FIFO or device the workspace put there), as every other read of a workspace file.
  const read = readWorkspaceTextFile(file, { maxBytes: MAX_CONFIGURABLE_BYTES });
  return read.ok ? TextDocuments.create(uri, 'plaintext', 0, read.text) : undefined;
}

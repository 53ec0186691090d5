// Shared by the hostile corpus, fault and fuzz tests: writing a repository into a temp folder, recognising a stack
// trace in output, and checking that what pglens generates (index SQL, migration files) is exactly what it meant.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadPgQuery, parseToJson } from '../../server/src/engine/parse/libpgQuery';
import type { JsonFinding } from '../cli/cliHarness';

export interface Repository {
  dir: string;
  write(name: string, text: string | Buffer): string;
  remove(): void;
}

/** A temp folder holding `files` (paths relative to it). */
export function writeRepository(prefix: string, files: Record<string, string | Buffer>): Repository {
  const dir = mkdtempSync(join(tmpdir(), `pglens-${prefix}-`));
  const repo: Repository = {
    dir,
    write(name, text) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [name, text] of Object.entries(files)) repo.write(name, text);
  return repo;
}

/** A V8 stack frame (`    at fn (file.js:1:2)`) or Node's report of an uncaught error. */
const STACK_TRACE = /^[ \t]+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$|Unhandled '\w+' event|UnhandledPromiseRejection|Maximum call stack size exceeded|node:internal\//m;

/** The first line of output that is part of a stack trace, or undefined. */
export function stackTraceIn(output: string): string | undefined {
  const match = STACK_TRACE.exec(output);
  if (!match) return undefined;
  const start = output.lastIndexOf('\n', match.index) + 1;
  const end = output.indexOf('\n', match.index + match[0].length);
  return output.slice(start, end < 0 ? output.length : end).trim();
}

export async function loadParserForChecks(): Promise<void> {
  await loadPgQuery();
}

/** The node types of the statements in `sql` (PostgreSQL's own grammar), or the parser's error. */
export function statementKinds(sql: string): string[] | { error: string } {
  try {
    const tree = parseToJson(sql);
    return (tree.stmts ?? []).map((s: { stmt: Record<string, unknown> }) => Object.keys(s.stmt)[0]);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Whether `path` (absolute, or a file: URI already converted) lies inside `dir`. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** A generated text that creates an index: exactly one statement, a CREATE INDEX. */
export function indexSqlProblem(what: string, sql: string): string | undefined {
  const kinds = statementKinds(sql);
  if (!Array.isArray(kinds)) return `${what} does not parse (${kinds.error}): ${sql}`;
  if (kinds.length !== 1 || kinds[0] !== 'IndexStmt') return `${what} is ${kinds.join(' + ') || 'no statement'}, not one CREATE INDEX: ${sql}`;
  return undefined;
}

/**
 * What is wrong with the fixes the findings carry: index SQL that is not exactly one CREATE INDEX, a migration whose
 * statements are anything else, a migration file outside the repository, SQL to copy that would drop or end a
 * transaction.
 */
export function generatedSqlProblems(findings: Pick<JsonFinding, 'file' | 'line' | 'ruleId'>[] & { fixes?: unknown; evidence?: unknown }[], repoDir: string): string[] {
  const problems: string[] = [];
  for (const finding of findings as (JsonFinding & { fixes?: { title: string; sql?: string; newFile?: { path: string; content: string } }[]; evidence?: { indexSuggestion?: { sql?: string } } })[]) {
    const where = `${finding.file}:${finding.line} ${finding.ruleId}`;
    const suggestion = finding.evidence?.indexSuggestion?.sql;
    if (suggestion) {
      for (const part of suggestion.split(/;\s*\n/).filter((p) => p.trim())) {
        const problem = indexSqlProblem(`${where}: evidence.indexSuggestion.sql`, part);
        if (problem) problems.push(problem);
      }
    }
    for (const fix of finding.fixes ?? []) {
      if (fix.sql) {
        const kinds = statementKinds(fix.sql);
        if (!Array.isArray(kinds)) problems.push(`${where}: fix "${fix.title}" SQL does not parse (${kinds.error}): ${fix.sql}`);
        else if (/^\s*create\s+(unique\s+)?index/i.test(fix.sql) && kinds.some((k) => k !== 'IndexStmt')) {
          problems.push(`${where}: fix "${fix.title}" SQL is ${kinds.join(' + ')}: ${fix.sql}`);
        } else if (kinds.some((k) => k === 'DropStmt' || k === 'TransactionStmt' || k === 'TruncateStmt' || k === 'DeleteStmt')) {
          problems.push(`${where}: fix "${fix.title}" SQL is ${kinds.join(' + ')}: ${fix.sql}`);
        }
      }
      if (fix.newFile) {
        if (!isInside(repoDir, fix.newFile.path)) problems.push(`${where}: fix "${fix.title}" writes ${fix.newFile.path}, outside ${repoDir}`);
        const kinds = statementKinds(fix.newFile.content);
        if (!Array.isArray(kinds)) problems.push(`${where}: fix "${fix.title}" migration does not parse (${kinds.error}):\n${fix.newFile.content}`);
        else if (kinds.length === 0 || kinds.some((k) => k !== 'IndexStmt')) problems.push(`${where}: fix "${fix.title}" migration is ${kinds.join(' + ')}:\n${fix.newFile.content}`);
      }
    }
  }
  return problems;
}

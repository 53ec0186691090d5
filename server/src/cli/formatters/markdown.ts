// `pglens check --format markdown`: a pull-request comment or a GitHub job summary ($GITHUB_STEP_SUMMARY). With
// --baseline: regressions, improvements and new statements, each with a file:line link and, folded, the plan diff;
// without it: the findings. Always the database the plans came from. Links point at the commit being checked when
// GitHub Actions' variables say where that is (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_WORKSPACE);
// elsewhere they are plain file:line text.

import * as path from 'node:path';
import type { BaselineComparison } from '../../engine/baseline/compare';
import type { CurrentStatement } from '../../engine/baseline/record';
import { planSummary } from '../../engine/rules/baseline/plan-regression';
import type { Finding } from '../../engine/types';
import { countBySeverity, type CheckReport } from './report';

export interface MarkdownOptions {
  env: NodeJS.ProcessEnv;
  /** Findings the baseline already knew: listed apart, folded. */
  known?: Set<Finding>;
}

const SEVERITY_MARK: Record<Finding['severity'], string> = { error: '🔴 error', warning: '🟠 warning', info: 'ℹ️ info', hint: 'hint' };

export function formatMarkdown(report: CheckReport, options: MarkdownOptions): string {
  const link = linker(report.root, options.env);
  const comparison = report.baseline;
  const known = options.known ?? new Set<Finding>();
  const out: string[] = [];
  const regressions = comparison?.regressions ?? [];
  const regressionFindings = new Set(regressions.map((r) => r.finding));
  const others = report.findings.filter((f) => !regressionFindings.has(f) && !known.has(f));
  const { errors } = countBySeverity([...regressionFindings, ...others]);
  if (comparison) {
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    out.push(
      `## pglens: ${regressions.length === 0 ? 'no regressions' : count(regressions.length, 'regression')}, ${count(comparison.improvements.length, 'improvement')}, ${count(comparison.newStatements.length, 'new statement')}`,
    );
  } else {
    out.push(`## pglens: ${report.findings.length === 0 ? 'no findings' : `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}`}`);
  }
  out.push('', databaseLine(report), '');
  if (comparison && comparison.databaseDifferences.length > 0) {
    out.push(`> **Plans may differ for reasons other than the code:** ${escapeCell(comparison.databaseDifferences.join('; '))}.`, '');
  }
  if (errors > 0) out.push(`**${errors} at error level: the check fails.**`, '');

  if (comparison) {
    out.push('### Regressions', '');
    if (regressions.length === 0) out.push('No regressions.', '');
    else {
      out.push('| Severity | Statement | What changed | Before | Now |', '| --- | --- | --- | --- | --- |');
      for (const r of regressions) {
        out.push(row([SEVERITY_MARK[r.finding.severity], statementCell(r.statement, link), r.regression.headline, r.regression.before ?? '(new statement)', r.regression.after]));
      }
      out.push('');
      const diffed = new Set<CurrentStatement>();
      for (const r of regressions) {
        const diff = r.finding.evidence?.planDiff as string[] | undefined;
        if (!diff || diffed.has(r.statement)) continue;
        diffed.add(r.statement);
        out.push(`<details><summary>Plan diff: ${escapeHtml(`${r.statement.file}:${r.statement.line}${r.statement.name ? ` ${r.statement.name}` : ''}`)}</summary>`, '', '```diff', ...diff, '```', '', '</details>', '');
      }
    }
  }
  if (others.length > 0) {
    out.push(comparison ? '### Other findings on new or changed code' : '### Findings', '', '| Severity | Where | Rule | Finding |', '| --- | --- | --- | --- |');
    for (const f of others) out.push(row([SEVERITY_MARK[f.severity], link(f.file, f.range.start.line + 1), `[${f.ruleId}](${f.docsUrl ?? '#'})`, f.headline ?? f.message]));
    out.push('');
  }
  if (comparison) {
    if (comparison.improvements.length > 0) {
      out.push('### Improvements', '', '| Statement | What got better |', '| --- | --- |');
      for (const i of comparison.improvements) out.push(row([statementCell(i.statement, link), i.changes.join('; ')]));
      out.push('');
    }
    if (comparison.newStatements.length > 0) {
      out.push('### New statements', '', '| Statement | Plan |', '| --- | --- |');
      for (const s of comparison.newStatements) out.push(row([statementCell(s, link), s.plan ? planSummary(s.plan) : s.locks?.length ? `locks: ${s.locks.map((l) => `${l.mode} on ${l.table}`).join(', ')}` : 'not planned']));
      out.push('');
    }
    if (comparison.removed.length > 0) out.push(`${comparison.removed.length} statement${comparison.removed.length === 1 ? '' : 's'} of the baseline no longer found (removed or rewritten beyond matching).`, '');
    if (known.size > 0) {
      out.push(`<details><summary>${known.size} finding${known.size === 1 ? '' : 's'} the baseline already had (not counted)</summary>`, '', '| Where | Rule | Finding |', '| --- | --- | --- |');
      for (const f of known) out.push(row([link(f.file, f.range.start.line + 1), f.ruleId, f.headline ?? f.message]));
      out.push('', '</details>', '');
    }
    out.push(`<sub>Compared with \`${escapeHtml(comparison.baselineFile)}\`: ${comparison.pairs.size} statements matched${comparison.carriedOver > 0 ? `, ${comparison.carriedOver} in files this change cannot affect kept as they were` : ''}. pglens ${escapeHtml(report.toolVersion)}.</sub>`, '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function databaseLine(report: CheckReport): string {
  const db = report.database;
  if (!db) return 'Plans: none (no database; only the rules that need none ran).';
  const kind = db.kind === 'postgres' ? 'a configured PostgreSQL server' : `the ${db.kind} database`;
  const before = report.baseline?.before;
  return `Plans from ${kind} (PostgreSQL ${db.serverVersion}${db.note ? `; ${db.note}` : ''})${before ? `; baseline planned on ${before.kind === 'embedded' ? 'an' : 'a'} ${before.kind} database${before.serverMajor ? ` (PostgreSQL ${before.serverMajor})` : ''}` : ''}.`;
}

function statementCell(statement: CurrentStatement, link: (file: string, line: number) => string): string {
  return `${link(statement.absoluteFile, statement.line)}${statement.name ? ` \`${statement.name.replace(/`/g, '')}\`` : ''}`;
}

/** file:line, as a link to the checked commit on GitHub when the environment says where that is. */
function linker(root: string, env: NodeJS.ProcessEnv): (file: string, line: number) => string {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  // A pull request's own head, not the merge commit Actions checks out by default, when the workflow passes it.
  const sha = env.PGLENS_COMMIT_SHA || env.GITHUB_SHA;
  const top = env.GITHUB_WORKSPACE || root;
  return (file, line) => {
    const relative = path.relative(root, file).split(path.sep).join('/');
    const text = `${relative}:${line}`;
    if (!server || !repository || !sha) return `\`${text}\``;
    const fromTop = path.relative(top, file).split(path.sep).join('/');
    return `[${text}](${server}/${repository}/blob/${sha}/${fromTop.split('/').map(encodeURIComponent).join('/')}#L${line})`;
  };
}

function row(cells: string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

/** A table cell: no line breaks, pipes escaped (GitHub's tables end a cell at an unescaped pipe, even in code). */
function escapeCell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// The default terminal output, shaped like ESLint's "stylish": findings grouped by file, `line:column`, severity,
// headline, rule id, the source line with a caret under the range (codeFrame.ts), the fix; the details with
// --verbose; then the generic-plan note once and a summary line.

import * as fs from 'node:fs';
import { displayPath } from '../../engine/analyze';
import type { Finding } from '../../engine/types';
import { codeFrame } from './codeFrame';
import { countBySeverity, coverageLine, databaseFailureLine, type CheckReport } from './report';

/** The note of a finding planned without parameter values (db/explain.ts); said once per run, not per finding. */
const GENERIC_PLAN_NOTE = /^generic plan\b/;

/**
 * The report for a terminal, a file's findings at a time. `verbose`: each finding's details, and every skipped site,
 * `file:line:column  reason`; `stats`: sites checked and skipped per file kind and per reason. `codeFrame` (default
 * on): the source line(s) of each finding with a caret under its range, read from the file.
 */
export function* formatStylish(report: CheckReport, options: { color: boolean; verbose?: boolean; stats?: boolean; codeFrame?: boolean }): Generator<string> {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const finding of report.findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  let genericPlans = 0;
  const indent = `  ${''.padEnd(8)} ${''.padEnd(7)}  `;
  for (const [file, findings] of byFile) {
    lines.push(paint('4', displayPath(file, report.root)));
    const source = options.codeFrame === false ? undefined : sourceLines(file);
    for (const finding of findings) {
      const where = `${finding.range.start.line + 1}:${finding.range.start.character + 1}`;
      const severity = finding.severity === 'error' ? paint('31', 'error') : finding.severity === 'warning' ? paint('33', 'warning') : paint('36', finding.severity);
      const impact = finding.productionImpact ? `  ${paint('35', `[${finding.productionImpact.label}]`)}` : '';
      lines.push(`  ${where.padEnd(8)} ${severity.padEnd(options.color ? 16 : 7)}  ${finding.headline ?? finding.message}  ${paint('2', finding.ruleId)}${impact}`);
      if (options.verbose) for (const detail of finding.details ?? []) lines.push(`${indent}${paint('2', '·')} ${detail.text}`);
      if (source) for (const frameLine of codeFrame(source, finding.range, paint)) lines.push(`    ${frameLine}`);
      // Fixes that write a new file are editor actions; the terminal shows the SQL to run.
      for (const fix of finding.fixes ?? []) {
        if (fix.sql && !fix.newFile) lines.push(`${indent}${paint('32', 'fix:')} ${fix.sql.split('\n').join(' ')}${fix.verified === false ? ' (not verified)' : ''}`);
      }
      for (const note of finding.notes ?? []) {
        // The generic-plan note is said once below; the embedded database's volumes are in the summary line.
        if (GENERIC_PLAN_NOTE.test(note)) genericPlans++;
        else if (note !== report.database?.note) lines.push(`${indent}${paint('2', `(${note})`)}`);
      }
    }
    lines.push('');
    yield lines.join('\n') + '\n';
    lines.length = 0;
  }
  if (genericPlans > 0) {
    lines.push(
      paint('2', `${genericPlans === report.findings.length ? 'All' : genericPlans} of these findings come from generic plans: parameter values unknown, estimates use default selectivity.`),
      '',
    );
  }
  if (options.verbose && report.skipped.length > 0) {
    lines.push(paint('2', 'Skipped (not checked, with the reason):'));
    for (const site of report.skipped) {
      const where = `${displayPath(site.file, report.root)}:${site.line}:${site.column}`;
      lines.push(paint('2', `  ${where}  ${site.reason}${site.expression ? `  (could not know: ${site.expression})` : ''}`));
    }
    lines.push('');
  }
  if (options.stats) {
    const coverage = report.coverage;
    const kinds = Object.entries(coverage.byKind).sort((a, b) => b[1].sites - a[1].sites || a[0].localeCompare(b[0]));
    const width = Math.max(9, ...kinds.map(([kind]) => kind.length));
    lines.push(`Coverage: ${coverageLine(coverage)}`);
    lines.push(`  ${'file kind'.padEnd(width)}  ${'sites'.padStart(7)}  ${'checked'.padStart(7)}  ${'skipped'.padStart(7)}`);
    for (const [kind, counts] of kinds) {
      lines.push(`  ${kind.padEnd(width)}  ${String(counts.sites).padStart(7)}  ${String(counts.checked).padStart(7)}  ${String(counts.skipped).padStart(7)}`);
    }
    if (coverage.byReason.length > 0) {
      lines.push('  skipped, by reason:');
      for (const { reason, count } of coverage.byReason) lines.push(`  ${String(count).padStart(7)}  ${reason}`);
    }
    lines.push('');
  }
  const { errors, warnings, infos } = countBySeverity(report.findings);
  const total = report.findings.length;
  // The embedded database's note starts by naming it ("embedded database, synthetic data: ..."): not "embedded, embedded database".
  const { database } = report;
  const against = database ? (database.note ? (database.note.startsWith(database.label) ? database.note : `${database.label}, ${database.note}`) : database.label) : 'no database: static rules only';
  const gaps = report.schemaGaps ? `, ${report.schemaGaps.count} not planned: ${report.schemaGaps.reason}` : '';
  const counted =
    `${report.filesChecked} file${report.filesChecked === 1 ? '' : 's'} (${coverageLine(report.coverage)}), ` +
    `${report.statementsChecked} statement${report.statementsChecked === 1 ? '' : 's'} (${report.statementsPlanned} planned${gaps}) against ${against}`;
  const failure = databaseFailureLine(report);
  if (failure) lines.push(paint('31;1', `✖ ${failure}`));
  if (total === 0 && (failure || report.schemaProblem)) {
    lines.push(`no problems found in what was planned: ${counted}`);
  } else if (total === 0) {
    lines.push(paint('32', `✔ no problems`) + ` in ${counted}`);
  } else {
    const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''})`;
    lines.push(paint(errors > 0 ? '31;1' : '33;1', summary) + ` in ${counted}`);
  }
  yield lines.join('\n') + '\n';
}

/** The lines of a finding's file for its code frame; none when it cannot be read now (the frame is then left out). */
function sourceLines(file: string): string[] | undefined {
  try {
    return fs.readFileSync(file, 'utf8').split('\n');
  } catch {
    return undefined;
  }
}

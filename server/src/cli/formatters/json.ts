// Machine-readable output: one object with the findings (1-based lines and columns, like the stylish output)
// and what they were measured against.

import { displayPath } from '../../engine/analyze';
import { baselineJson } from '../baselineCheck';
import { countBySeverity, type CheckReport } from './report';
import { lazyArray, stringifyJsonPieces } from './streamJson';

/** The report as JSON, in pieces (see streamJson.ts). */
export function* formatJson(report: CheckReport): Generator<string> {
  const findings = lazyArray(report.findings, (finding) => ({
    file: displayPath(finding.file, report.root),
    line: finding.range.start.line + 1,
    column: finding.range.start.character + 1,
    endLine: finding.range.end.line + 1,
    endColumn: finding.range.end.character + 1,
    ruleId: finding.ruleId,
    severity: finding.severity,
    category: finding.category,
    headline: finding.headline,
    // Which of the rule's declared messages the headline is (docs/rules/<id>.md lists them): stable when wording changes.
    ...(finding.messageId !== undefined ? { messageId: finding.messageId } : {}),
    details: finding.details ?? [],
    // The headline and the details as one text, as before the headline existed.
    message: finding.message,
    docsUrl: finding.docsUrl,
    evidence: finding.evidence,
    fixes: finding.fixes,
    notes: finding.notes,
    // With production's numbers: findings are ordered by it (most first), and say it.
    ...(finding.productionImpact ? { productionImpact: finding.productionImpact } : {}),
  }));
  yield* stringifyJsonPieces({
    tool: 'pglens',
    version: report.toolVersion,
    database: report.database ?? null,
    summary: {
      ...countBySeverity(report.findings),
      files: report.filesChecked,
      sites: report.coverage.sites,
      checked: report.coverage.checked,
      skipped: report.coverage.skipped,
      statements: report.statementsChecked,
      planned: report.statementsPlanned,
      notPlanned: report.notPlanned.length,
      ...(report.schemaGaps ? { notPlannedSchema: report.schemaGaps.count } : {}),
    },
    coverage: { byKind: report.coverage.byKind, byReason: report.coverage.byReason },
    ...(report.schemaGaps ? { schemaGaps: report.schemaGaps } : {}),
    ...(report.schemaProblem ? { schemaProblem: report.schemaProblem } : {}),
    ...(report.baseline ? { baseline: baselineJson(report.baseline) } : {}),
    findings,
    notPlanned: report.notPlanned.map((entry) => ({ ...entry, file: displayPath(entry.file, report.root) })),
    // `offset` (UTF-16, in the file) is kept for scripts written against earlier versions; line and column are 1-based.
    skipped: lazyArray(report.skipped, (site) => ({
      file: displayPath(site.file, report.root),
      line: site.line,
      column: site.column,
      offset: site.fileStart,
      reason: site.reason,
      ...(site.expression ? { expression: site.expression } : {}),
    })),
  });
  yield '\n';
}

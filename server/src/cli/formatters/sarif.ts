// SARIF 2.1.0 for code-scanning UIs. Regions are 1-based with UTF-16 columns (SARIF's default columnKind),
// rules carry their docs page as helpUri and their category; suggested SQL travels in properties and, when the fix
// is an edit of the file, in `fixes`.

import { displayPath } from '../../engine/analyze';
import { MAX_CONFIGURABLE_BYTES, readWorkspaceTextFile } from '../../engine/files';
import { allRuleMetas } from '../../engine/rules/index';
import { ruleDocsUrl } from '../../engine/rules/rule';
import { LineIndex } from '../../engine/text';
import type { Finding } from '../../engine/types';
import type { CheckReport } from './report';
import { lazyArray, stringifyJsonPieces } from './streamJson';

const LEVEL: Record<Finding['severity'], 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** The report as SARIF 2.1.0, in pieces (see streamJson.ts). */
export function* formatSarif(report: CheckReport): Generator<string> {
  const metas = allRuleMetas();
  const ruleIndex = new Map(metas.map((meta, index) => [meta.id, index]));
  const lineIndexes = new Map<string, LineIndex | undefined>();
  const lineIndexOf = (file: string) => {
    if (!lineIndexes.has(file)) {
      // A file with findings was read for the check already; read the same way again (a regular file, BOM removed).
      const read = readWorkspaceTextFile(file, { maxBytes: MAX_CONFIGURABLE_BYTES });
      lineIndexes.set(file, read.ok ? new LineIndex(read.text) : undefined);
    }
    return lineIndexes.get(file);
  };
  const region = (index: LineIndex | undefined, start: number, end: number) => {
    if (!index) return undefined;
    const range = index.rangeOf(start, end);
    return { startLine: range.start.line + 1, startColumn: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
  };
  const results = lazyArray(report.findings, (finding) => {
    const uri = displayPath(finding.file, report.root);
    const fixes = (finding.fixes ?? [])
      .filter((fix) => fix.edits && fix.edits.length > 0)
      .map((fix) => ({
        description: { text: fix.title },
        artifactChanges: groupEditsByFile(fix.edits!).map(([file, edits]) => ({
          artifactLocation: { uri: displayPath(file, report.root), uriBaseId: '%SRCROOT%' },
          replacements: edits.map((edit) => ({ deletedRegion: region(lineIndexOf(file), edit.start, edit.end), insertedContent: { text: edit.newText } })),
        })),
      }));
    const suggestedSql = (finding.fixes ?? []).filter((fix) => fix.sql).map((fix) => ({ title: fix.title, sql: fix.sql, verified: fix.verified }));
    return {
      ruleId: finding.ruleId,
      ...(ruleIndex.has(finding.ruleId) ? { ruleIndex: ruleIndex.get(finding.ruleId) } : {}),
      level: LEVEL[finding.severity],
      // SARIF's rank (0-100, higher first): the statement's share of production's DB time, when known.
      ...(finding.productionImpact ? { rank: Math.round(finding.productionImpact.shareOfTime * 1000) / 10 } : {}),
      // text: the headline (what code scanning lists); markdown: the headline, then the details and notes.
      message: { text: finding.headline ?? finding.message, markdown: sarifMarkdown(finding) },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            region: {
              startLine: finding.range.start.line + 1,
              startColumn: finding.range.start.character + 1,
              endLine: finding.range.end.line + 1,
              endColumn: finding.range.end.character + 1,
            },
          },
        },
      ],
      ...(fixes.length ? { fixes } : {}),
      properties: {
        category: finding.category,
        ...(suggestedSql.length ? { suggestedSql } : {}),
        ...(finding.evidence ? { evidence: finding.evidence } : {}),
        ...(finding.details?.length ? { details: finding.details } : {}),
        ...(finding.notes?.length ? { notes: finding.notes } : {}),
        ...(finding.productionImpact ? { productionImpact: finding.productionImpact } : {}),
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pglens',
            version: report.toolVersion,
            informationUri: 'https://github.com/pglens/pglens',
            rules: metas.map((meta) => ({
              id: meta.id,
              name: meta.id,
              shortDescription: { text: meta.description },
              helpUri: ruleDocsUrl(meta.id),
              defaultConfiguration: { level: LEVEL[meta.defaultSeverity] },
              properties: { category: meta.category, kind: meta.kind },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileUri(report.root) } },
        results,
        // A run whose database failed did not check everything: code-scanning UIs show these notifications. Skipped
        // sites are notes (what pglens could not read), an embedded schema too thin to plan against is an error.
        invocations: [
          {
            executionSuccessful: report.notPlanned.length === 0 && !report.schemaProblem,
            toolExecutionNotifications: lazyArray(notifications(report), (notification) => notification),
          },
        ],
        properties: report.database ? { database: report.database } : {},
      },
    ],
  };
  yield* stringifyJsonPieces(sarif);
  yield '\n';
}

function* notifications(report: CheckReport): Generator<object> {
  if (report.schemaProblem) yield { level: 'error', message: { text: report.schemaProblem } };
  for (const entry of report.notPlanned) {
    yield {
      level: 'error',
      message: { text: `not planned: ${entry.reason}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: displayPath(entry.file, report.root), uriBaseId: '%SRCROOT%' }, region: { startLine: entry.line } } }],
    };
  }
  if (report.schemaGaps) yield { level: 'note', message: { text: `${report.schemaGaps.count} statements not planned: ${report.schemaGaps.reason}` } };
  for (const site of report.skipped) {
    yield {
      level: 'note',
      message: { text: `skipped: ${site.reason}${site.expression ? ` (could not know: ${site.expression})` : ''}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: displayPath(site.file, report.root), uriBaseId: '%SRCROOT%' },
            region: { startLine: site.line, startColumn: site.column },
          },
        },
      ],
    };
  }
}

function groupEditsByFile<E extends { file: string }>(edits: E[]): [string, E[]][] {
  const byFile = new Map<string, E[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  return [...byFile];
}

function pathToFileUri(dir: string): string {
  const withSlash = dir.endsWith('/') ? dir : `${dir}/`;
  return 'file://' + withSlash.split('/').map(encodeURIComponent).join('/');
}

/** A finding's headline and details as SARIF message markdown: the headline, then one list item per detail and note. */
function sarifMarkdown(finding: Finding): string {
  const escape = (text: string) => text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
  const items = [...(finding.details ?? []).map((detail) => detail.text), ...(finding.notes ?? []).map((note) => `(${note})`)];
  return [escape(finding.headline ?? finding.message), ...(items.length ? ['', ...items.map((item) => `- ${escape(item)}`)] : [])].join('\n');
}

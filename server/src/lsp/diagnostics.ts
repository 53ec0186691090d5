// Finding → Diagnostic. A finding is plain data from the engine; this is the only place that knows how LSP shows it.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../engine/types';

/** Kept on the diagnostic so a code action request (which only sends diagnostics back) can find the finding again. */
export interface DiagnosticData {
  ruleId: string;
  fileStart: number;
  fileEnd: number;
  /** The document version the diagnostic was computed for. */
  version: number;
}

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function findingToDiagnostic(finding: Finding, version: number): Diagnostic {
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    source: 'pglens',
    code: finding.ruleId,
    message: finding.notes && finding.notes.length > 0 ? `${finding.message}\n(${finding.notes.join('; ')})` : finding.message,
    data: { ruleId: finding.ruleId, fileStart: finding.fileStart, fileEnd: finding.fileEnd, version } satisfies DiagnosticData,
  };
  if (finding.docsUrl) diagnostic.codeDescription = { href: finding.docsUrl };
  return diagnostic;
}

export function findingsToDiagnostics(findings: Finding[], version: number): Diagnostic[] {
  return findings.map((finding) => findingToDiagnostic(finding, version));
}

export function isDiagnosticData(value: unknown): value is DiagnosticData {
  return typeof value === 'object' && value !== null && typeof (value as DiagnosticData).ruleId === 'string';
}

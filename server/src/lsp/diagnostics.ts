// Finding → Diagnostic. A finding is plain data from the engine; this is the only place that knows how LSP shows it.

import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { orderByProductionImpact } from '../engine/snapshot/match';
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
    // The headline, short like ESLint's; the details (evidence, suggestion, advisor result, plan notes) follow as
    // related information at the finding's own range, which VS Code lists under the message and shows in its hover.
    // With production's numbers the label says what the statement costs production ("[prod 21% of DB time]").
    message: `${finding.headline ?? finding.message}${finding.productionImpact ? ` [${finding.productionImpact.label}]` : ''}`,
    data: { ruleId: finding.ruleId, fileStart: finding.fileStart, fileEnd: finding.fileEnd, version } satisfies DiagnosticData,
  };
  const related = [...(finding.details ?? []).map((detail) => detail.text), ...(finding.notes ?? []).map((note) => `(${note})`)];
  if (related.length > 0) {
    const location = { uri: fileUri(finding.file), range: finding.range };
    diagnostic.relatedInformation = related.map((message) => ({ location, message }));
  }
  if (finding.docsUrl) diagnostic.codeDescription = { href: finding.docsUrl };
  return diagnostic;
}

// A file's URI, for the findings of one file published together (every edit publishes them all again).
let lastFile: string | undefined;
let lastUri = '';
function fileUri(file: string): string {
  if (file !== lastFile) {
    lastUri = pathToFileURL(file).toString();
    lastFile = file;
  }
  return lastUri;
}

/** Most production impact first (clients that keep the server's order list them so); otherwise as found. */
export function findingsToDiagnostics(findings: Finding[], version: number): Diagnostic[] {
  return orderByProductionImpact([...findings]).map((finding) => findingToDiagnostic(finding, version));
}

export function isDiagnosticData(value: unknown): value is DiagnosticData {
  return typeof value === 'object' && value !== null && typeof (value as DiagnosticData).ruleId === 'string';
}

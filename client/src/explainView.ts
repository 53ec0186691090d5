// Shows plans readably: "Explain Statement" as a markdown preview; "Explain Analyze" as a webview with the plan
// tree, estimated against actual rows, time per node and the slowest node marked.

import * as vscode from 'vscode';
import type { AnalyzedPlanNode, ExplainAnalyzeResult } from '../../server/src/lsp/protocol';

/**
 * Read-only plan pages: `pglens-plan:` documents served from memory. An untitled document would ask to be saved when
 * closed; these are never dirty and are forgotten when closed.
 */
export const PLAN_SCHEME = 'pglens-plan';
const planPages = new Map<string, string>();
let pageCounter = 0;

export const planPageProvider: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => planPages.get(uri.path) ?? '',
};

export function forgetPlanPage(document: vscode.TextDocument): void {
  if (document.uri.scheme === PLAN_SCHEME) planPages.delete(document.uri.path);
}

/** Shows markdown as a preview beside the editor (the source, read-only, where the preview is unavailable); returns its URI. */
export async function showMarkdown(markdown: string, title = 'plan'): Promise<vscode.Uri> {
  const uri = vscode.Uri.from({ scheme: PLAN_SCHEME, path: `/${++pageCounter}/pglens ${title.replace(/[\\/]/g, ' ')}.md` });
  planPages.set(uri.path, markdown);
  const shown = await vscode.commands.executeCommand('markdown.showPreviewToSide', uri).then(
    () => true,
    () => false,
  );
  if (!shown) {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }
  return uri;
}

/**
 * The body of the EXPLAIN ANALYZE confirmation dialog: one line per thing the statement may do, then what the
 * rollback does and does not undo.
 */
export function confirmationDetail(request: NonNullable<ExplainAnalyzeResult['needsConfirmation']>): string {
  const reasons = request.reasons?.length ? request.reasons : [request.reason];
  return [
    ...reasons.map((reason) => `• ${reason}`),
    '',
    'It runs on a connection of its own, closed afterwards, and the transaction is always rolled back: rows written are undone, but sequences still advance and what is done on other servers or outside the transaction stays done.',
  ].join('\n');
}

let panel: vscode.WebviewPanel | undefined;

export function showExplainAnalyze(result: ExplainAnalyzeResult): vscode.WebviewPanel {
  if (!panel) {
    // The cursor stays in the code: the person (or a second run) goes on from there.
    panel = vscode.window.createWebviewPanel('pglens.explainAnalyze', 'pglens: EXPLAIN ANALYZE', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false, enableCommandUris: ['pglens.showPlanView'] });
    panel.onDidDispose(() => (panel = undefined));
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  panel.webview.html = renderHtml(result);
  return panel;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function ms(value: number | undefined): string {
  if (value === undefined) return '–';
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(2)} ms`;
}

function rows(n: number | undefined): string {
  return n === undefined ? '–' : Math.round(n).toLocaleString('en-US');
}

export function renderHtml(result: ExplainAnalyzeResult): string {
  const body: string[] = [];
  const visit = (node: AnalyzedPlanNode, depth: number) => {
    const actual = node.actualRows;
    const ratio = actual !== undefined && actual > 0 && node.estimatedRows > 0 ? Math.max(actual / node.estimatedRows, node.estimatedRows / actual) : 1;
    const misestimate = ratio >= 10 ? ` class="off" title="estimate off by ${ratio.toFixed(0)}x"` : '';
    body.push(
      `<tr${node.slowest ? ' class="slowest"' : ''}><td style="padding-left:${depth * 1.4 + 0.4}em">${depth > 0 ? '└ ' : ''}<b>${escapeHtml(node.label)}</b>` +
        `${node.slowest ? ' <span class="tag">slowest</span>' : ''}${node.detail ? `<div class="detail">${escapeHtml(node.detail)}</div>` : ''}</td>` +
        `<td>${rows(node.estimatedRows)}</td><td${misestimate}>${rows(actual)}</td><td>${node.loops ?? '–'}</td>` +
        `<td>${ms(node.exclusiveTimeMs)}</td><td>${ms(node.totalTimeMs)}</td></tr>`,
    );
    node.children.forEach((child) => visit(child, depth + 1));
  };
  if (result.root) visit(result.root, 0);
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>
 body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
 pre { background: var(--vscode-textCodeBlock-background); padding: .6em; white-space: pre-wrap; }
 table { border-collapse: collapse; width: 100%; }
 th, td { text-align: right; padding: .25em .6em; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: top; }
 th:first-child, td:first-child { text-align: left; }
 .detail { font-size: 90%; opacity: .75; font-family: var(--vscode-editor-font-family); }
 .slowest { background: var(--vscode-inputValidation-warningBackground); }
 .tag { font-size: 80%; border: 1px solid currentColor; border-radius: 3px; padding: 0 .3em; }
 .off { color: var(--vscode-errorForeground); font-weight: bold; }
 .error { color: var(--vscode-errorForeground); }
</style></head><body>
<h2>EXPLAIN ANALYZE</h2>
<pre>${escapeHtml(result.statement ?? '')}</pre>
${parametersHtml(result)}
${
  result.error
    ? `<p class="error">${escapeHtml(result.error)}</p>`
    : `<p>Executed on ${escapeHtml(result.databaseLabel ?? '')} inside a transaction that was rolled back.
 Planning ${ms(result.planningTimeMs)} · execution ${ms(result.executionTimeMs)}.${
   result.planView ? ` <a href="command:pglens.showPlanView?${encodeURIComponent(JSON.stringify(['analyzed']))}">Open in the plan view</a> (time and cost bars per node).` : ''
 }</p>
<table><thead><tr><th>Node</th><th>Est. rows</th><th>Actual rows</th><th>Loops</th><th>Time (self)</th><th>Time (total)</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table>
<p>Rows are per loop. Red actual rows: the estimate was off by 10x or more. Highlighted: the node that spent the most time itself.</p>`
}
</body></html>`;
}

/** The values bound to `$1..$n`: with their types and the expressions they stand for. */
function parametersHtml(result: ExplainAnalyzeResult): string {
  if (!result.parameters?.length) return '';
  const items = result.parameters.map(
    (p) =>
      `<li><code>$${p.index}</code> (${escapeHtml(p.type)}${p.source ? `, from <code>${escapeHtml(p.source)}</code>` : ''}) = ` +
      `${p.value === null || p.value === undefined ? '<code>NULL</code>' : `<code>${escapeHtml(p.value)}</code>`}</li>`,
  );
  return `<ul class="parameters">${items.join('')}</ul>`;
}

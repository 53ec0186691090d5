// The plan view in VS Code: a webview drawing the plan-view data the language server answers (pglens/planView; the
// client never runs EXPLAIN). Opened by "Show Plan View" (pglens.showPlanView), "Explain Statement at Cursor", the
// hover's "Open plan view" link, EXPLAIN ANALYZE results, and "Show plan with this index" (both plans compared).

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient, Middleware } from 'vscode-languageclient/node';
import { PlanViewRequest, type PlanViewParams, type PlanViewResult } from '../../server/src/lsp/protocol';
import type { PlanView } from '../../server/src/engine/plan/planView';
import { renderPlanPage, type PlanPageInput } from './planViewHtml';

export const SHOW_PLAN_VIEW_COMMAND = 'pglens.showPlanView';
/** The client's stand-in for the server's "Show plan with this index" command: the two plans compared. */
export const SHOW_PLAN_WITH_INDEX_CLIENT_COMMAND = 'pglens.showPlanWithIndex';
/** The language server's command (codeActions.ts SHOW_PLAN_WITH_INDEX_COMMAND): a markdown page any editor can open. */
const SERVER_SHOW_PLAN_WITH_INDEX = 'pglens.server.showPlanWithIndex';

/** What the plan view shows now: for tests (the page's HTML) and for the EXPLAIN ANALYZE panel's link. */
export interface ShownPlan {
  panel: vscode.WebviewPanel;
  html: string;
  input: Omit<PlanPageInput, 'nonce'>;
}

let panel: vscode.WebviewPanel | undefined;
let lastAnalyzed: Omit<PlanPageInput, 'nonce'> | undefined;

export function showPlanPage(input: Omit<PlanPageInput, 'nonce'>): ShownPlan {
  if (!panel) {
    // No scripts; the page is drawn whole from the data each time.
    panel = vscode.window.createWebviewPanel('pglens.planView', 'pglens: Plan', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: false, localResourceRoots: [] });
    panel.onDidDispose(() => (panel = undefined));
  } else {
    panel.reveal(vscode.ViewColumn.Beside, true);
  }
  panel.title = input.diff ? 'pglens: Plan diff' : 'pglens: Plan';
  const html = renderPlanPage({ ...input, nonce: randomBytes(16).toString('base64') });
  panel.webview.html = html;
  return { panel, html, input };
}

/** Keeps an EXPLAIN ANALYZE result's plan for "Open in plan view" (the results panel's link). */
export function rememberAnalyzedPlan(statement: string | undefined, plan: PlanView | undefined, notes: string[] = []): void {
  if (plan) lastAnalyzed = { title: 'Plan · EXPLAIN ANALYZE', statement, plan, notes };
}

type StatementAt = Pick<PlanViewParams, 'uri' | 'position'>;

function cursorPosition(): StatementAt | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  return { uri: editor.document.uri.toString(), position: { line: editor.selection.active.line, character: editor.selection.active.character } };
}

/** Asks the server for the plan at a position and shows it; the server's answer (with `shown` when drawn). */
export async function showPlanViewAt(client: LanguageClient, params: PlanViewParams): Promise<PlanViewResult & { shown?: ShownPlan }> {
  const result = await client.sendRequest<PlanViewResult>(PlanViewRequest, params);
  if (result.error || (!result.plan && !result.diff)) return result;
  const shown = showPlanPage({ title: result.title ?? 'Plan', statement: result.statement, notes: result.notes, plan: result.plan, diff: result.diff });
  return { ...result, shown };
}

/** `pglens.showPlanView` and `pglens.showPlanWithIndex`. */
export function registerPlanViewCommands(context: vscode.ExtensionContext, client: () => LanguageClient | undefined, redact: (text: string) => string): void {
  context.subscriptions.push(
    // Arguments (all optional): { uri, position } of a statement (the hover's link), or 'analyzed' (the last EXPLAIN ANALYZE).
    vscode.commands.registerCommand(SHOW_PLAN_VIEW_COMMAND, async (target?: StatementAt | 'analyzed') => {
      if (target === 'analyzed') return lastAnalyzed ? { shown: showPlanPage(lastAnalyzed) } : undefined;
      const at = target ?? cursorPosition();
      if (!at || !client()) {
        void vscode.window.showInformationMessage('pglens: put the cursor in a SQL statement first.');
        return undefined;
      }
      const result = await showPlanViewAt(client()!, { ...at, kind: 'estimated' });
      if (result.error) void vscode.window.showWarningMessage(redact(`pglens: ${result.error}`));
      return result;
    }),
    vscode.commands.registerCommand(SHOW_PLAN_WITH_INDEX_CLIENT_COMMAND, async (target: StatementAt & { ruleId?: string; markdown?: string }) => {
      const result = client() ? await showPlanViewAt(client()!, { uri: target.uri, position: target.position, ruleId: target.ruleId, kind: 'withIndex' }) : undefined;
      // No what-if plan tree on the server's side (a plan from JSON output, say): the server's page, as before.
      if ((!result || result.error) && target.markdown) await vscode.commands.executeCommand(SERVER_SHOW_PLAN_WITH_INDEX, target.markdown);
      return result;
    }),
  );
}

function codeOf(diagnostic: vscode.Diagnostic | undefined): string | undefined {
  const code = diagnostic?.code;
  return typeof code === 'object' && code !== null ? String(code.value) : code !== undefined ? String(code) : undefined;
}

/**
 * Language-client middleware: "Show plan with this index" opens the plan diff instead of the server's markdown page,
 * and a hover that shows a plan gets an "Open plan view" link (a command link, trusted for that one command).
 */
export const planViewMiddleware: Middleware = {
  async provideCodeActions(document, range, context, token, next) {
    const actions = await next(document, range, context, token);
    if (!actions) return actions;
    return actions.map((action) => {
      const command = action instanceof vscode.CodeAction ? action.command : undefined;
      if (!(action instanceof vscode.CodeAction) || command?.command !== SERVER_SHOW_PLAN_WITH_INDEX) return action;
      const diagnostic = action.diagnostics?.[0];
      const start = diagnostic?.range.start ?? range.start;
      action.command = {
        title: command.title,
        command: SHOW_PLAN_WITH_INDEX_CLIENT_COMMAND,
        arguments: [{ uri: document.uri.toString(), position: { line: start.line, character: start.character }, ruleId: codeOf(diagnostic), markdown: command.arguments?.[0] }],
      };
      return action;
    });
  },
  async provideHover(document, position, token, next) {
    const hover = await next(document, position, token);
    if (!hover) return hover;
    const text = hover.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
    if (!/\*\*pglens · plan\*\*/.test(text)) return hover;
    const args = encodeURIComponent(JSON.stringify([{ uri: document.uri.toString(), position: { line: position.line, character: position.character } }]));
    const link = new vscode.MarkdownString(`[$(graph) Open plan view](command:${SHOW_PLAN_VIEW_COMMAND}?${args} "The plan with cost bars per node")`, true);
    link.isTrusted = { enabledCommands: [SHOW_PLAN_VIEW_COMMAND] };
    return new vscode.Hover([...hover.contents, link], hover.range);
  },
};

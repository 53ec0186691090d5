// The extension in a real VS Code (code-server's extension host, or desktop VS Code through @vscode/test-electron),
// against the test database: diagnostics at the right ranges, a plan on hover, a quick fix that applies, the status
// bar, and Explain Analyze. The workspace is test/vscode/fixture plus a pglens.json written by the runner.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PglensApi } from '../../../client/src/extension';

const SEQ_SCAN_RANGE = new vscode.Range(3, 27, 3, 33);

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return folder.uri.fsPath;
}

/** Also used by codeLens.test.ts (the suite is one bundle: this module runs once). */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function pglensDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pglens');
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

/** A report with a join, an aggregate and a sort: a plan with several nodes for the plan view. */
const PENDING_REPORT_SQL = `-- pending orders per user
select u.email, count(*) as pending_orders, sum(o.total_cents) as cents
from orders o
join users u on u.id = o.user_id
where o.status = 'pending'
group by u.email
order by pending_orders desc
limit 20;
`;

/**
 * The plan view alone on screen for the runner (test/vscode/run.mjs), which checks the webview's page (the costliest
 * or changed node is drawn) and saves docs/images/<name>.png, then creates the done file. Desktop runners have no
 * such step: the wait ends after 30 s without failing.
 */
async function screenshotOfPlanView(name: string, panel: vscode.WebviewPanel): Promise<void> {
  const done = process.env.PGLENS_SCREENSHOT_DONE_FILE;
  const ignore = () => undefined;
  await vscode.commands.executeCommand('workbench.action.closeSidebar').then(ignore, ignore);
  await vscode.commands.executeCommand('workbench.action.closePanel').then(ignore, ignore);
  panel.reveal(undefined, false);
  await vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup').then(ignore, ignore);
  await new Promise((r) => setTimeout(r, 1500));
  console.log(`PGLENS_PLAN_SCREENSHOT ${name}`);
  if (done) await waitFor(`the ${name} screenshot`, () => (fs.existsSync(`${done}-${name}`) ? true : undefined), 30_000).catch(ignore);
  await vscode.commands.executeCommand('workbench.action.toggleMaximizeEditorGroup').then(ignore, ignore);
  await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup').then(ignore, ignore);
}

describe('pglens in VS Code', () => {
  let api: PglensApi;
  let uri: vscode.Uri;
  let editor: vscode.TextEditor;

  before(async () => {
    uri = vscode.Uri.file(path.join(workspaceRoot(), 'src', 'orders.ts'));
    const document = await vscode.workspace.openTextDocument(uri);
    editor = await vscode.window.showTextDocument(document);
    const extension = vscode.extensions.getExtension('pglens.pglens');
    assert.ok(extension, 'the pglens extension is installed');
    api = (await waitFor('activation', () => (extension.isActive ? extension.exports : undefined))) as PglensApi;
  });

  it('activates on a TypeScript file and reports the connected database in the status bar', async () => {
    const status = await api.whenStatus((s) => s.folders.some((f) => f.state === 'connected'));
    const folder = status.folders.find((f) => f.state === 'connected');
    assert.ok(folder && folder.state === 'connected');
    assert.match(folder.label, /^app@127\.0\.0\.1:\d+\/pglens_test$/);
    await waitFor('status bar text', () => (/pglens: app@127\.0\.0\.1 · 1 finding$/.test(api.statusBar.item.text) ? true : undefined));
    assert.equal(api.statusBar.item.command, 'pglens.showOutput');
  });

  it('shows the seq-scan diagnostic on `orders`, with the rule id and docs link', async () => {
    const [diagnostic] = await waitFor('diagnostics', () => {
      const found = pglensDiagnostics(uri);
      return found.length > 0 ? found : undefined;
    });
    assert.equal(pglensDiagnostics(uri).length, 1);
    assert.ok(diagnostic.range.isEqual(SEQ_SCAN_RANGE), `range ${JSON.stringify(diagnostic.range)}`);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    const code = diagnostic.code as { value: string; target: vscode.Uri };
    assert.equal(code.value, 'seq-scan-large-table');
    assert.equal(code.target.toString(), 'https://github.com/pglens/pglens/blob/main/docs/rules/seq-scan-large-table.md');
    assert.match(diagnostic.message, /Seq Scan on orders/);
  });

  it('shows the finding\'s headline, then the plan, then the details on hover', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(3, 30));
    const text = hoverText(hovers);
    const headline = text.indexOf('pglens · seq-scan-large-table');
    const tree = text.search(/Seq Scan on orders .*◀ costliest/);
    const meaning = text.indexOf('What it means');
    assert.ok(headline >= 0 && tree > headline && meaning > tree, text);
    assert.match(text, /Generic plan/);
  });

  it('keeps the squiggle and the open hover on screen for the screenshot', async () => {
    // The runner (test/vscode/run.mjs) takes the screenshot when it sees this line and then creates the file.
    const done = process.env.PGLENS_SCREENSHOT_DONE_FILE;
    // On `select`: the hover shows the plan tree, next to the squiggle under `orders`.
    editor.selection = new vscode.Selection(3, 16, 3, 16);
    editor.revealRange(SEQ_SCAN_RANGE, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand('editor.action.showHover');
    await new Promise((r) => setTimeout(r, 1500));
    console.log('PGLENS_SCREENSHOT_READY');
    if (done) await waitFor('the screenshot', () => (fs.existsSync(done) ? true : undefined), 30_000).catch(() => undefined);
  });

  it('offers "ignore this rule here"; applying it inserts the comment and clears the diagnostic', async () => {
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, SEQ_SCAN_RANGE, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Open documentation for seq-scan-large-table'), titles.join(', '));
    const ignore = actions.find((a) => a.title === 'Ignore seq-scan-large-table here (pglens-ignore comment)');
    assert.ok(ignore?.edit, titles.join(', '));
    assert.ok(await vscode.workspace.applyEdit(ignore.edit));
    assert.equal(editor.document.lineAt(3).text, '  // pglens-ignore seq-scan-large-table');
    await waitFor('diagnostics to clear', () => (pglensDiagnostics(uri).length === 0 ? true : undefined));
    await waitFor('status bar count', () => (/· 0 findings$/.test(api.statusBar.item.text) ? true : undefined));
    // Undo: the finding comes back (edits are analysed as they happen).
    await vscode.commands.executeCommand('undo');
    await waitFor('diagnostics to return', () => (pglensDiagnostics(uri).length === 1 ? true : undefined));
  });

  it('Explain Analyze runs the statement at the cursor and shows estimated against actual rows', async () => {
    editor.selection = new vscode.Selection(7, 20, 7, 20);
    const result = (await vscode.commands.executeCommand('pglens.explainStatement')) as { markdown?: string };
    assert.match(result.markdown ?? '', /accounts_pkey/);
    // Shown read-only: no untitled document that would ask to be saved.
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.isUntitled && d.languageId === 'markdown'), 'no untitled markdown document');

    const scratch = await vscode.workspace.openTextDocument({ language: 'sql', content: 'select count(*) from orders where note is not null;\n' });
    const scratchEditor = await vscode.window.showTextDocument(scratch);
    scratchEditor.selection = new vscode.Selection(0, 3, 0, 3);
    const result2 = (await vscode.commands.executeCommand('pglens.explainAnalyze')) as { root?: { actualRows?: number; label: string }; executionTimeMs?: number };
    assert.ok(result2.root, JSON.stringify(result2));
    assert.equal(typeof result2.root.actualRows, 'number');
    assert.equal(typeof result2.executionTimeMs, 'number');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Explain Analyze asks for the value of ${id} in an input box, runs with it, remembers it, and Escape cancels', async () => {
    type Result = { root?: { actualRows?: number; label: string }; parameters?: { index: number; type: string; source?: string; value?: string | null }[]; needsValues?: unknown; error?: string };
    const run = async (answer: { text?: string; key: 'Enter' | 'Escape' }) => {
      // The cursor in accountById's statement (the EXPLAIN ANALYZE view of the last run may have the focus).
      const shown = await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
      shown.selection = new vscode.Selection(7, 20, 7, 20);
      const running = vscode.commands.executeCommand('pglens.explainAnalyze') as Thenable<Result>;
      // The runner (test/vscode/run.mjs) waits for the input box with this title, types into it and presses the key.
      console.log(`PGLENS_INPUT ${encodeURIComponent(JSON.stringify({ title: '$1 · bigint · from ${id}', ...answer }))}`);
      return await running;
    };
    const typed = await run({ text: '1', key: 'Enter' });
    assert.equal(typed.error, undefined, JSON.stringify(typed));
    assert.deepEqual(typed.parameters, [{ index: 1, type: 'bigint', source: '${id}', value: '1' }]);
    assert.equal(typed.root?.actualRows, 1, JSON.stringify(typed.root));
    // Remembered for this statement: the box opens with 1 in it, Enter alone runs it again.
    const again = await run({ key: 'Enter' });
    assert.equal(again.parameters?.[0]?.value, '1');
    assert.equal(again.root?.actualRows, 1);
    // Escape: nothing runs, the answer is the question that was not answered.
    const cancelled = await run({ key: 'Escape' });
    assert.ok(cancelled.needsValues && !cancelled.root && !cancelled.error, JSON.stringify(cancelled));
  });

  it('Re-analyse Workspace analyses files that are not open and fills the Problems panel', async () => {
    const closed = vscode.Uri.file(path.join(workspaceRoot(), 'src', 'closed-report.sql'));
    fs.writeFileSync(closed.fsPath, "select id from orders where note = 'x';\n");
    const result = (await vscode.commands.executeCommand('pglens.reanalyze')) as { files: number; findings: number; cancelled: boolean };
    assert.equal(result.cancelled, false);
    assert.ok(result.files >= 3, JSON.stringify(result));
    const found = await waitFor('diagnostics of the closed file', () => {
      const diagnostics = pglensDiagnostics(closed);
      return diagnostics.length > 0 ? diagnostics : undefined;
    });
    assert.equal((found[0].code as { value: string }).value, 'seq-scan-large-table');
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === closed.toString()), 'the file was not opened');
  });

  it('Add index writes the migration, opens it and says so', async () => {
    // orders.customer_email has no index, and one serves this lookup.
    const byEmail = vscode.Uri.file(path.join(workspaceRoot(), 'src', 'by-email.ts'));
    fs.writeFileSync(byEmail.fsPath, "import { sql } from './db';\nexport const byEmail = (email: string) => sql`select id, status from orders where customer_email = ${email}`;\n");
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(byEmail));
    const diagnostic = await waitFor('the seq-scan diagnostic', () => pglensDiagnostics(byEmail).find((d) => (d.code as { value: string }).value === 'seq-scan-large-table'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', byEmail, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const add = actions.find((a) => /^Add index .* in a new migration$/.test(a.title));
    assert.ok(add?.edit && add.command, actions.map((a) => a.title).join(', '));
    // What the light bulb does: the edit, then the command.
    assert.ok(await vscode.workspace.applyEdit(add.edit));
    await vscode.commands.executeCommand(add.command.command, ...(add.command.arguments ?? []));
    const opened = await waitFor('the migration in the editor', () => {
      const active = vscode.window.activeTextEditor?.document;
      return active && /[\\/]migrations[\\/]\d+_add_orders_customer_email_idx\.sql$/.test(active.uri.fsPath) ? active : undefined;
    });
    assert.match(opened.getText(), /CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_email_idx ON orders \(customer_email\);/);
    await opened.save();
  });

  it('opens the plan view: the tree with cost bars, the costliest node marked, linked from the hover', async () => {
    const report = vscode.Uri.file(path.join(workspaceRoot(), 'src', 'pending-report.sql'));
    fs.writeFileSync(report.fsPath, PENDING_REPORT_SQL);
    const reportEditor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(report));
    await api.client.sendRequest('pglens/analysisComplete', { uri: report.toString() });
    reportEditor.selection = new vscode.Selection(1, 4, 1, 4);
    const result = (await vscode.commands.executeCommand('pglens.showPlanView')) as {
      plan?: { nodeCount: number; costliestId?: number };
      shown?: { html: string; panel: vscode.WebviewPanel };
      error?: string;
    };
    assert.ok(result.plan && result.shown, JSON.stringify(result));
    assert.ok(result.plan.nodeCount >= 4, `${result.plan.nodeCount} nodes`);
    const html = result.shown.html;
    // One node marked costliest, and it is the one the server named.
    const marked = [...html.matchAll(/class="row costliest[^"]*" data-node-id="(\d+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(marked, [result.plan.costliestId]);
    assert.match(html, /Seq Scan on orders|on orders/);
    assert.match(html, /<span class="fill w\d+">/);
    // Strict policy: nothing but the nonce'd stylesheet; no script at all.
    assert.match(html, /content="default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+';"/);
    assert.doesNotMatch(html, /<script/i);
    // The hover on the statement links to the plan view.
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', report, new vscode.Position(1, 4));
    assert.match(hoverText(hovers), /\(command:pglens\.showPlanView\?/);
    await screenshotOfPlanView('plan-view', result.shown.panel);
  });

  it('Show plan with this index opens the two plans compared, the scan that changed marked', async () => {
    const byEmail = vscode.Uri.file(path.join(workspaceRoot(), 'src', 'by-email.ts'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(byEmail));
    const diagnostic = await waitFor('the seq-scan diagnostic', () => pglensDiagnostics(byEmail).find((d) => (d.code as { value: string }).value === 'seq-scan-large-table'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', byEmail, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const show = actions.find((a) => a.title === 'Show plan with this index');
    assert.ok(show?.command, actions.map((a) => a.title).join(', '));
    assert.equal(show.command.command, 'pglens.showPlanWithIndex');
    const result = (await vscode.commands.executeCommand(show.command.command, ...(show.command.arguments ?? []))) as {
      diff?: { before: { totalCost: number }; after: { totalCost: number }; changes: { kind: string; before?: string; after?: string }[] };
      shown?: { html: string; panel: vscode.WebviewPanel };
    };
    assert.ok(result.diff && result.shown, JSON.stringify(result));
    assert.ok(result.diff.after.totalCost < result.diff.before.totalCost);
    const change = result.diff.changes.find((c) => c.kind === 'changed');
    assert.ok(change, JSON.stringify(result.diff.changes));
    assert.match(change.before ?? '', /^(Parallel )?Seq Scan on orders/);
    // The what-if index is named by the CREATE INDEX it stands for, never hypopg's made-up name.
    assert.match(change.after ?? '', /CREATE INDEX .*orders \(customer_email\)/);
    assert.match(result.shown.html, /class="row changed[^"]*" data-node-id/);
    await screenshotOfPlanView('plan-diff', result.shown.panel);
  });

  it('EXPLAIN ANALYZE results open in the plan view, with time bars and the slowest node marked', async () => {
    const scratch = await vscode.workspace.openTextDocument({ language: 'sql', content: "select count(*) from orders o join users u on u.id = o.user_id where u.status = 'disabled';\n" });
    const scratchEditor = await vscode.window.showTextDocument(scratch);
    scratchEditor.selection = new vscode.Selection(0, 3, 0, 3);
    const analysed = (await vscode.commands.executeCommand('pglens.explainAnalyze')) as { planView?: { analyzed: boolean; slowestId?: number } };
    assert.equal(analysed.planView?.analyzed, true, JSON.stringify(analysed).slice(0, 400));
    assert.equal(typeof analysed.planView.slowestId, 'number');
    // What the results panel's "Open in the plan view" link runs.
    const shown = (await vscode.commands.executeCommand('pglens.showPlanView', 'analyzed')) as { shown?: { html: string } };
    assert.ok(shown?.shown);
    assert.match(shown.shown.html, new RegExp(`class="row[^"]*slowest[^"]*" data-node-id="${analysed.planView.slowestId}"`));
    assert.match(shown.shown.html, /<span class="metric time"/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

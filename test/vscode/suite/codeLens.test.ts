// Production's numbers above the code in a real VS Code: the workspace's pglens.json names prod-snapshot.json, in
// which production runs the `accounts` lookup of src/orders.ts; VS Code asks the language server for CodeLenses and
// shows `prod: 1,240 calls/min · mean 38 ms · 21% of DB time` above that statement, and the status bar says where the
// numbers come from. The runner (test/vscode/run.mjs) checks the lens in the page and takes docs/images/codelens.png.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PglensApi } from '../../../client/src/extension';
import { waitFor } from './extension.test';

const LENS_TITLE = 'prod: 1,240 calls/min · mean 38 ms · 21% of DB time';

describe('production numbers in VS Code', () => {
  let uri: vscode.Uri;
  let api: PglensApi;

  before(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests need the fixture workspace open');
    uri = vscode.Uri.file(path.join(folder.uri.fsPath, 'src', 'orders.ts'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const extension = vscode.extensions.getExtension('pglens.pglens');
    assert.ok(extension);
    api = (await waitFor('activation', () => (extension.isActive ? extension.exports : undefined))) as PglensApi;
  });

  it('shows the CodeLens with production\'s numbers above the statement production runs, and only there', async () => {
    const lenses = await waitFor('the CodeLens', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return found.some((lens) => lens.command?.title.startsWith('prod:')) ? found : undefined;
    });
    const prod = lenses.filter((lens) => lens.command?.title.startsWith('prod:'));
    assert.deepEqual(prod.map((lens) => [lens.range.start.line, lens.command?.title]), [[7, LENS_TITLE]]);
  });

  it('says in the status bar where the numbers come from', async () => {
    await waitFor('the production status bar item', () => (api.statusBar.production.text.includes('prod: snapshot of 2026-12-01') ? true : undefined));
  });

  it('keeps the lens on screen for the screenshot', async () => {
    // One editor group (earlier tests leave plan views open beside it), the file in front.
    await vscode.commands.executeCommand('workbench.action.joinAllGroups');
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(7, 0, 7, 0);
    editor.revealRange(new vscode.Range(0, 0, 9, 0), vscode.TextEditorRevealType.AtTop);
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('editor.action.hideHover').then(undefined, () => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    const done = `${process.env.PGLENS_SCREENSHOT_DONE_FILE}-codelens`;
    console.log('PGLENS_CODELENS_SCREENSHOT');
    await waitFor('the CodeLens screenshot', () => (fs.existsSync(done) ? true : undefined), 60_000);
    // The runner writes what it saw in the page: the lens text, over the line of the statement.
    assert.match(fs.readFileSync(done, 'utf8'), /^seen: prod: 1,240 calls\/min/);
  });
});

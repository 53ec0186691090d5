// The status bar item: what pglens plans against and how many findings the open documents have. Clicking it opens
// the output log, where connection problems are explained.

import * as vscode from 'vscode';
import type { FolderStatus, StatusParams } from '../../server/src/lsp/protocol';
import { describeProductionSource } from '../../server/src/engine/snapshot/productionSource';

export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  /** Where production's runtime numbers come from and how old they are (`prod: live, 2 min ago`); hidden without any. */
  readonly production: vscode.StatusBarItem;
  last: StatusParams | undefined;
  private readonly ageTimer: NodeJS.Timeout;

  constructor() {
    this.production = vscode.window.createStatusBarItem('pglens.production', vscode.StatusBarAlignment.Left, 9);
    this.production.name = 'pglens production numbers';
    this.production.command = 'pglens.showOutput';
    // "2 min ago" ages without a new status.
    this.ageTimer = setInterval(() => this.last && this.updateProduction(this.last), 30_000);
    this.item = vscode.window.createStatusBarItem('pglens.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'pglens';
    this.item.command = 'pglens.showOutput';
    this.item.text = '$(database) pglens: starting';
    this.item.tooltip = 'pglens is starting';
    this.item.show();
  }

  update(status: StatusParams): void {
    this.last = status;
    const folders = status.folders;
    const main = pickFolder(folders);
    const findings = `${status.findingCount} finding${status.findingCount === 1 ? '' : 's'}`;
    let state: string;
    let warning = false;
    switch (main?.state) {
      case 'connected':
        state = shortLabel(main.label);
        break;
      case 'embedded':
        // The server also shows the line once as a notification; the status bar keeps it while it holds.
        state = `embedded PGlite${main.schemaWarning ? ', schema missing' : ''}`;
        warning = main.schemaWarning !== undefined;
        break;
      case 'disconnected':
        // Configured but not answering: not the same as none configured.
        state = main.label ? `${shortLabel(main.label)} unreachable` : 'database unreachable';
        warning = true;
        break;
      case 'static':
        state = 'no database configured';
        break;
      default:
        state = 'starting';
    }
    const multi = folders.length > 1 ? ` (+${folders.length - 1})` : '';
    this.item.text = `${warning ? '$(warning)' : '$(database)'} pglens: ${state}${multi} · ${findings}`;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = new vscode.MarkdownString(folders.map(describeFolder).join('\n\n') + '\n\n*Click to open the pglens output.*');
    this.updateProduction(status);
  }

  private updateProduction(status: StatusParams): void {
    const folder = pickFolder(status.folders);
    const production = folder?.production ?? status.folders.find((f) => f.production)?.production;
    if (!production) {
      this.production.hide();
      return;
    }
    const now = Date.now();
    this.production.text = `$(pulse) ${describeProductionSource(production, now)}`;
    this.production.tooltip = `${describeProductionSource(production, now, true)}\n\nProduction's runtime numbers (pg_stat_statements) shown above each statement. Click to open the pglens output.`;
    this.production.backgroundColor = production.source === 'unreachable' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.production.show();
  }

  dispose(): void {
    clearInterval(this.ageTimer);
    this.item.dispose();
    this.production.dispose();
  }
}

/** The folder of the active editor, else the first one. */
function pickFolder(folders: FolderStatus[]): FolderStatus | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  return (folder && folders.find((f) => f.folder === folder.uri.toString())) ?? folders.find((f) => f.state !== 'starting') ?? folders[0];
}

/** "dev@localhost:5432/app" → "dev@localhost": the status bar has little room; the tooltip has the rest. */
export function shortLabel(label: string): string {
  return label.replace(/:\d+(\/.*)?$/, '').replace(/\/.*$/, '');
}

function describeFolder(folder: FolderStatus): string {
  const name = `**${folder.name}**`;
  const config = folder.configError ? ` — invalid config: ${folder.configError}` : folder.configFile ? '' : ' (no pglens.json)';
  switch (folder.state) {
    case 'connected':
      return `${name}: connected to ${folder.label}, PostgreSQL ${folder.serverVersion}${folder.hypopg ? ', hypopg installed' : ', no hypopg'}${config}`;
    case 'embedded':
      return `${name}: embedded database (PostgreSQL ${folder.serverVersion})${folder.note ? ` — ${folder.note}` : ''}${folder.schemaWarning ? ` — ${folder.schemaWarning}` : ''}${config}`;
    case 'disconnected':
      return `${name}: ${folder.label ? `${folder.label} ` : 'the database '}does not answer — ${folder.reason}${config}`;
    case 'static':
      return `${name}: ${folder.reason}; only rules that need no plan run${config}`;
    default:
      return `${name}: starting`;
  }
}

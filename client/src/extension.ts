// The VS Code side of pglens: starts the language server (out/server.js, node IPC), relays settings, the database
// password (SecretStorage, never settings) and workspace trust, shows the status bar item and runs the commands.
// Everything about SQL and plans happens in the server.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  ExplainAnalyzeRequest,
  ExplainRequest,
  ReanalyzeProgressNotification,
  ReanalyzeRequest,
  SetPasswordNotification,
  SetProductionPasswordNotification,
  SetTrustNotification,
  StatusNotification,
  type ExplainAnalyzeParams,
  type ExplainAnalyzeResult,
  type ExplainResult,
  type PglensInitializationOptions,
  type ReanalyzeProgressParams,
  type ReanalyzeResult,
  type StatusParams,
} from '../../server/src/lsp/protocol';
import { redactDeep, redactSecrets, splitCredentials } from '../../server/src/engine/redact';
import { confirmationDetail, forgetPlanPage, PLAN_SCHEME, planPageProvider, showExplainAnalyze, showMarkdown } from './explainView';
import { askParameterValues } from './parameterValues';
import { planViewMiddleware, registerPlanViewCommands, rememberAnalyzedPlan, showPlanViewAt } from './planView';
import { StatusBar } from './status';

const PASSWORD_KEY = 'pglens.database.password';
/** The password of `pglens.production.url` / pglens.json `production.url` (live mode): secret storage only. */
const PRODUCTION_PASSWORD_KEY = 'pglens.production.password';
const RECENT_URLS_KEY = 'pglens.recentDatabaseUrls';
export const DOCUMENT_LANGUAGES = ['sql', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];

/** What the extension returns from activate(): used by the extension tests. */
export interface PglensApi {
  client: LanguageClient;
  statusBar: StatusBar;
  whenStatus(predicate: (status: StatusParams) => boolean): Promise<StatusParams>;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<PglensApi> {
  const output = vscode.window.createOutputChannel('pglens', { log: true });
  const statusBar = new StatusBar();
  context.subscriptions.push(output, statusBar);

  const serverModule = context.asAbsolutePath('out/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  // Kept to remove it from anything shown here (the server redacts too: two locks on one door).
  let password = await context.secrets.get(PASSWORD_KEY);
  let productionPassword = await context.secrets.get(PRODUCTION_PASSWORD_KEY);
  const redact = (text: string) => redactSecrets(text, [password, productionPassword]);
  // Workspace Trust: an untrusted workspace's settings and pglens.json may not choose the database; the server gets
  // the user's own URL (user settings only) and uses nothing else. See docs/security.md.
  const userDatabaseUrl = () => vscode.workspace.getConfiguration('pglens').inspect<string>('database.url')?.globalValue || undefined;
  const initializationOptions: PglensInitializationOptions = {
    password,
    productionPassword,
    trusted: vscode.workspace.isTrusted,
    userDatabaseUrl: vscode.workspace.isTrusted ? undefined : userDatabaseUrl(),
    cacheDir: context.globalStorageUri.fsPath,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_LANGUAGES.flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions,
    outputChannel: output,
    middleware: planViewMiddleware,
  };
  client = new LanguageClient('pglens', 'pglens', serverOptions, clientOptions);

  const statusWaiters: { predicate: (s: StatusParams) => boolean; resolve: (s: StatusParams) => void }[] = [];
  const onStatus = (received: StatusParams) => {
    const status = redactDeep(received, [password, productionPassword]);
    statusBar.update(status);
    for (const waiter of [...statusWaiters]) {
      if (waiter.predicate(status)) {
        statusWaiters.splice(statusWaiters.indexOf(waiter), 1);
        waiter.resolve(status);
      }
    }
  };
  context.subscriptions.push(client.onNotification(StatusNotification, onStatus));
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => statusBar.last && statusBar.update(statusBar.last)));

  const sendPassword = async () => {
    password = await context.secrets.get(PASSWORD_KEY);
    await client?.sendNotification(SetPasswordNotification, { password });
  };
  const sendProductionPassword = async () => {
    productionPassword = await context.secrets.get(PRODUCTION_PASSWORD_KEY);
    await client?.sendNotification(SetProductionPasswordNotification, { password: productionPassword });
  };
  context.subscriptions.push(
    context.secrets.onDidChange((event) => {
      if (event.key === PASSWORD_KEY) void sendPassword();
      if (event.key === PRODUCTION_PASSWORD_KEY) void sendProductionPassword();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(SetTrustNotification, { trusted: true })),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!vscode.workspace.isTrusted && event.affectsConfiguration('pglens.database.url')) {
        void client?.sendNotification(SetTrustNotification, { trusted: false, userDatabaseUrl: userDatabaseUrl() });
      }
    }),
  );

  const statementAtCursor = (): ExplainAnalyzeParams | undefined => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('pglens: put the cursor in a SQL statement first.');
      return undefined;
    }
    return { uri: editor.document.uri.toString(), position: { line: editor.selection.active.line, character: editor.selection.active.character } };
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('pglens.showOutput', () => output.show(true)),
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, planPageProvider),
    vscode.workspace.onDidCloseTextDocument(forgetPlanPage),
    vscode.commands.registerCommand('pglens.reanalyze', async (): Promise<ReanalyzeResult | undefined> => {
      // Every file pglens would check, not only the open ones: a notification with progress and a Cancel button.
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'pglens: re-analysing the workspace', cancellable: true },
        async (progress, token) => {
          let reported = 0;
          const listener = client!.onNotification(ReanalyzeProgressNotification, (params: ReanalyzeProgressParams) => {
            const share = params.total > 0 ? (params.done / params.total) * 100 : 0;
            progress.report({ message: `${params.done}/${params.total}${params.file ? ` ${params.file}` : ''}`, increment: Math.max(0, share - reported) });
            reported = Math.max(reported, share);
          });
          try {
            return await client!.sendRequest<ReanalyzeResult>(ReanalyzeRequest, {}, token);
          } catch (error) {
            if (token.isCancellationRequested) return undefined;
            throw error;
          } finally {
            listener.dispose();
          }
        },
      );
      const summary = result
        ? `pglens: re-analysed ${result.files} file${result.files === 1 ? '' : 's'}${result.cancelled ? ' (cancelled)' : ''}: ${result.findings} finding${result.findings === 1 ? '' : 's'}, in the Problems panel.`
        : 'pglens: re-analysis cancelled.';
      void vscode.window.showInformationMessage(summary);
      return result;
    }),
    vscode.commands.registerCommand('pglens.explainStatement', async (): Promise<ExplainResult | undefined> => {
      const params = statementAtCursor();
      if (!params) return undefined;
      const result = await client!.sendRequest<ExplainResult>(ExplainRequest, params);
      if (result.error || !result.markdown) void vscode.window.showWarningMessage(redact(`pglens: ${result.error ?? 'no plan'}`));
      // The plan view (cost bars per node); the markdown page where the server has no plan-view data.
      else if (!(await showPlanViewAt(client!, { ...params, kind: 'estimated' })).shown) await showMarkdown(result.markdown, 'plan');
      return result;
    }),
    vscode.commands.registerCommand('pglens.explainAnalyze', async (options?: { confirm?: boolean }): Promise<ExplainAnalyzeResult | undefined> => {
      const params = statementAtCursor();
      if (!params) return undefined;
      let result = await client!.sendRequest<ExplainAnalyzeResult>(ExplainAnalyzeRequest, params);
      if (result.needsValues) {
        // Escape in any input box: nothing runs, nothing is shown.
        const values = await askParameterValues(context.workspaceState, vscode.Uri.parse(params.uri), result.needsValues);
        if (!values) return result;
        params.values = values;
        result = await client!.sendRequest<ExplainAnalyzeResult>(ExplainAnalyzeRequest, params);
      }
      if (result.needsConfirmation) {
        // Tests pass { confirm: true }; a person always sees the modal, with every reason the server named.
        const run = 'Run and roll back';
        const answer =
          options?.confirm === true
            ? run
            : await vscode.window.showWarningMessage(
                'pglens: EXPLAIN ANALYZE executes this statement. It may:',
                { modal: true, detail: confirmationDetail(result.needsConfirmation) },
                run,
              );
        if (answer !== run) return result;
        const confirmedStatement = result.statement;
        result = await client!.sendRequest<ExplainAnalyzeResult>(ExplainAnalyzeRequest, { ...params, confirmed: true, confirmedStatement });
      }
      if (result.error && !result.statement) void vscode.window.showWarningMessage(redact(`pglens: ${result.error}`));
      else {
        rememberAnalyzedPlan(result.statement, result.planView);
        showExplainAnalyze(result);
      }
      return result;
    }),
    vscode.commands.registerCommand('pglens.setPassword', () =>
      askSecret(context, PASSWORD_KEY, 'Database password for pglens (kept in VS Code secret storage, never in settings)'),
    ),
    vscode.commands.registerCommand('pglens.setProductionPassword', () =>
      askSecret(context, PRODUCTION_PASSWORD_KEY, 'Password of the production URL for live runtime numbers (kept in VS Code secret storage, never in settings)'),
    ),
    vscode.commands.registerCommand('pglens.selectDatabase', async () => selectDatabase(context, statusBar)),
  );
  registerPlanViewCommands(context, () => client, redact);

  await client.start();
  return {
    client,
    statusBar,
    whenStatus: (predicate) =>
      statusBar.last && predicate(statusBar.last) ? Promise.resolve(statusBar.last) : new Promise((resolve) => statusWaiters.push({ predicate, resolve })),
  };
}

/** Asks for a password and keeps it in secret storage under `key` (empty: forgotten; Escape: unchanged). */
async function askSecret(context: vscode.ExtensionContext, key: string, prompt: string): Promise<void> {
  const entered = await vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true });
  if (entered === undefined) return;
  if (entered === '') await context.secrets.delete(key);
  else await context.secrets.store(key, entered);
}

/** Where a picked URL is saved: the workspace's settings, which an untrusted workspace may not use (the user's then). */
function settingsTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.isTrusted ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

/** Picks the database URL for the workspace; a password typed into the URL goes to secret storage instead. */
async function selectDatabase(context: vscode.ExtensionContext, statusBar?: StatusBar): Promise<void> {
  const recent = context.globalState.get<string[]>(RECENT_URLS_KEY, []);
  const current = vscode.workspace.getConfiguration('pglens').get<string>('database.url');
  // What pglens plans against now, whatever chose it (this setting, pglens.json, the environment, the embedded one).
  const now = statusBar?.last?.folders.find((f) => f.state !== 'starting');
  const nowLabel = now?.state === 'connected' ? now.label : now?.state === 'embedded' ? 'the embedded database (PGlite)' : now?.state === 'disconnected' ? `${now.label ?? 'the configured database'} (not answering)` : 'no database';
  const listed = current && !recent.includes(current) ? [current, ...recent] : recent;
  const items: (vscode.QuickPickItem & { url?: string; action?: 'enter' | 'clear' })[] = [
    { label: '$(edit) Enter a connection URL…', action: 'enter' },
    ...listed.map((url) => ({ label: `${url === current ? '$(check) ' : ''}${url}`, description: url === current ? 'current' : undefined, url })),
    {
      label: `${current ? '' : '$(check) '}$(close) Use pglens.json (or the embedded database)`,
      description: current ? 'clears pglens.database.url' : 'current',
      action: 'clear',
    },
  ];
  const picked = await vscode.window.showQuickPick(items, { placeHolder: `Database pglens plans against (now: ${nowLabel})` });
  if (!picked) return;
  let url = picked.url;
  if (picked.action === 'clear') {
    await vscode.workspace.getConfiguration('pglens').update('database.url', undefined, settingsTarget());
    return;
  }
  if (picked.action === 'enter') {
    url = await vscode.window.showInputBox({ prompt: 'postgres://user@host:5432/database', value: current ?? 'postgres://', ignoreFocusOut: true });
    if (!url) return;
  }
  // Read the forgiving way (an unencoded @ or / in the password): whatever the parser, the password never reaches
  // settings or the recent list.
  const credentials = splitCredentials(url!);
  if (credentials?.password) {
    let secret = credentials.password;
    try {
      secret = decodeURIComponent(secret);
    } catch {
      // written unencoded: kept as typed
    }
    await context.secrets.store(PASSWORD_KEY, secret);
    url = credentials.withoutPassword;
  }
  await context.globalState.update(RECENT_URLS_KEY, [url!, ...recent.filter((u) => u !== url)].slice(0, 8));
  await vscode.workspace.getConfiguration('pglens').update('database.url', url, settingsTarget());
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

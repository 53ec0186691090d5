// The language server: wires the LSP connection to the documents, the per-folder engines, the analysis scheduler,
// diagnostics (pushed, or pulled where the client supports textDocument/diagnostic), hover, code actions and the
// pglens/* messages. Everything about SQL lives in the engine; this file only decides when and where to show it.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  type CancellationToken,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisScheduler, type AnalysisResult } from './analysisScheduler';
import {
  codeActionsFor,
  FILE_WRITTEN_COMMAND,
  OPEN_RULE_DOCS_COMMAND,
  SHOW_PLAN_WITH_INDEX_COMMAND,
  WRITE_FILE_COMMAND,
  writeNewFile,
  type CodeActionSupport,
  type FileWrittenArguments,
  type WriteFileArguments,
} from './codeActions';
import { codeLensKey, runtimeCodeLenses } from './codeLens';
import { findingsToDiagnostics } from './diagnostics';
import { EXPLAIN_ANALYZE_COMMAND, runExplainAnalyze } from './explainAnalyze';
import { hoverFor, notPlannedLine, statementAt } from './hover';
import { renderPlanMarkdown } from './planRender';
import { schemaCompletions } from './schemaAtCursor';
import { writePlanPage } from './planPages';
import { planViewFor } from './planView';
import { schemaProblemLine } from '../engine/schemaCoverage';
import { DEFAULT_MAX_SOURCE_BYTES, readWorkspaceTextFile } from '../engine/files';
import {
  ExplainAnalyzeRequest,
  ExplainRequest,
  PlanViewRequest,
  ReanalyzeProgressNotification,
  ReanalyzeRequest,
  SetPasswordNotification,
  SetProductionPasswordNotification,
  RefreshProductionRequest,
  SetTrustNotification,
  StatusNotification,
  type ExplainAnalyzeParams,
  type ExplainAnalyzeResult,
  type ExplainResult,
  type PglensInitializationOptions,
  type PglensSettings,
  type PlanViewParams,
  type PlanViewResult,
  type ReanalyzeProgressParams,
  type ReanalyzeResult,
  type SetPasswordParams,
  type SetTrustParams,
  type StatementAtParams,
  type StatusParams,
} from './protocol';
import { redactSecrets } from './secrets';
import { WorkspaceFolders, uriToPath, type FolderContext } from './workspaceFolders';

export const DEFAULT_DEBOUNCE_MS = 250;
const ANALYSED_LANGUAGES = new Set(['sql', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'pgsql', 'postgres']);
const ANALYSED_EXTENSIONS = /\.(sql|ts|tsx|js|jsx|mjs|cjs|mts|cts)$/i;
/** How long hover and code actions wait for the current version's analysis before using the last one. */
const WAIT_FOR_ANALYSIS_MS = 5_000;

export class PglensLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private folders!: WorkspaceFolders;
  private scheduler!: AnalysisScheduler;
  private initOptions: PglensInitializationOptions = {};
  private pushedSettings: PglensSettings | undefined;
  private password: string | undefined;
  /** The password of `production.url` (live mode): memory only. */
  private productionPassword: string | undefined;
  private codeLensRefresh = false;
  /** The lens texts each document's client last asked for (a change sends workspace/codeLens/refresh). */
  private readonly codeLensKeys = new Map<string, string>();
  private trusted = true;
  private userDatabaseUrl: string | undefined;
  private pullDiagnostics = false;
  private configurationRequests = false;
  private diagnosticRefresh = false;
  private watcherRegistration = false;
  private configurationRegistration = false;
  private workspaceFolderEvents = false;
  private codeActionSupport: CodeActionSupport = { documentChanges: false, createFile: false };
  private showDocumentSupport = false;
  private lastStatus = '';
  private readonly findingCounts = new Map<string, number>();
  private readonly scheduledVersions = new Map<string, number>();
  /** Files that are not open whose diagnostics "Re-analyse Workspace" published. */
  private readonly workspaceDiagnostics = new Set<string>();
  private readonly warnedConfigErrors = new Set<string>();
  /** Embedded databases with too little schema already told to the person (window/showMessage), by their line. */
  private readonly warnedSchemaProblems = new Set<string>();

  constructor(private readonly connection: Connection) {}

  listen(): void {
    const connection = this.connection;
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => void this.initialized());
    connection.onShutdown(() => this.folders?.dispose());

    this.documents.onDidOpen((event) => this.changed(event.document, true));
    this.documents.onDidChangeContent((event) => this.changed(event.document, false));
    this.documents.onDidClose((event) => this.closed(event.document.uri));
    this.documents.listen(connection);

    connection.onHover(async (params) => {
      const result = await this.resultFor(params.textDocument.uri);
      return result ? hoverFor(result.analysis, params.position, result.folder.state, this.documents.get(params.textDocument.uri), result.folder.production) : undefined;
    });
    // Production's numbers above each statement that has them, from the last analysis: no waiting, no database.
    connection.onCodeLens((params) => {
      const lenses = runtimeCodeLenses(this.scheduler.latest(params.textDocument.uri)?.analysis);
      this.codeLensKeys.set(params.textDocument.uri, codeLensKey(lenses));
      return lenses;
    });
    // Table and column names from the schema facts of the last analysis: no waiting for the current one, no database.
    connection.onCompletion((params) => {
      const document = this.documents.get(params.textDocument.uri);
      return document ? schemaCompletions(this.scheduler.latest(params.textDocument.uri)?.analysis, document, params.position) : [];
    });
    connection.onCodeAction(async (params) => {
      const document = this.documents.get(params.textDocument.uri);
      if (!document) return [];
      const result = await this.resultFor(params.textDocument.uri);
      if (!result) return [];
      return codeActionsFor(params, document, result.analysis, this.codeActionSupport, (uri) => this.documents.get(uri), result.folder.root);
    });
    connection.onExecuteCommand(async (params) => {
      const argument = params.arguments?.[0];
      if (params.command === OPEN_RULE_DOCS_COMMAND && typeof argument === 'string') {
        // Clients without window/showDocument (Neovim 0.7) get the address to open themselves.
        if (!(await this.showDocument({ uri: argument, external: true }))) this.tell(MessageType.Info, `pglens rule documentation: ${argument}`);
      }
      if (params.command === SHOW_PLAN_WITH_INDEX_COMMAND && typeof argument === 'string') {
        // A file any editor can open: LSP has no way to show an untitled document.
        const page = writePlanPage(argument);
        if (!(await this.showDocument({ uri: pathToFileURL(page).toString(), takeFocus: true }))) this.tell(MessageType.Info, argument);
        return page;
      }
      if (params.command === FILE_WRITTEN_COMMAND && isObject<FileWrittenArguments>(argument, 'uri')) {
        await this.showDocument({ uri: argument.uri, takeFocus: true });
        this.tell(MessageType.Info, argument.message);
        return argument.uri;
      }
      // pglens/explainAnalyze for editors that only send workspace/executeCommand: one argument, the same parameters.
      if (params.command === EXPLAIN_ANALYZE_COMMAND && isObject<ExplainAnalyzeParams>(argument, 'uri') && isObject<ExplainAnalyzeParams['position']>(argument.position, 'line', 'number')) {
        return this.explainAnalyze(argument);
      }
      if (params.command === WRITE_FILE_COMMAND && isObject<WriteFileArguments>(argument, 'path')) {
        let uri: string;
        try {
          uri = writeNewFile(argument, this.folders.statuses().map((f) => uriToPath(f.folder)).filter((root): root is string => root !== undefined));
        } catch (error) {
          const message = (error as NodeJS.ErrnoException).code === 'EEXIST' ? `pglens did not write ${argument.path}: the file exists` : (error as Error).message;
          this.tell(MessageType.Error, message);
          return null;
        }
        if (argument.edit) await connection.workspace.applyEdit({ label: 'pglens fix', edit: argument.edit }).catch(() => undefined);
        await this.showDocument({ uri, takeFocus: true });
        this.tell(MessageType.Info, argument.message);
        return uri;
      }
      return undefined;
    });
    connection.languages.diagnostics.on(async (params): Promise<DocumentDiagnosticReport> => {
      const result = await this.scheduler.current(params.textDocument.uri, false);
      return { kind: DocumentDiagnosticReportKind.Full, items: result ? findingsToDiagnostics(result.analysis.findings, result.version) : [] };
    });

    connection.onDidChangeConfiguration((params) => {
      const settings = (params.settings as { pglens?: PglensSettings } | undefined)?.pglens;
      if (settings) this.pushedSettings = settings;
      void this.reloadAll();
    });
    connection.onDidChangeWatchedFiles((params) => void this.watchedFilesChanged(params.changes));

    connection.onNotification(SetPasswordNotification, (params: SetPasswordParams) => {
      this.password = params.password || undefined;
      void this.reloadAll();
    });
    connection.onNotification(SetTrustNotification, (params: SetTrustParams) => {
      this.trusted = params.trusted;
      this.userDatabaseUrl = params.userDatabaseUrl || undefined;
      void this.reloadAll();
    });
    connection.onNotification(SetProductionPasswordNotification, (params: SetPasswordParams) => {
      this.productionPassword = params.password || undefined;
      void this.reloadAll();
    });
    connection.onRequest(RefreshProductionRequest, async () => {
      await this.folders.refreshProduction();
      return this.folders.statuses().map((status) => ({ folder: status.folder, production: status.production }));
    });
    connection.onRequest(ReanalyzeRequest, (_params: unknown, token: CancellationToken) => this.reanalyzeWorkspace(token));
    connection.onRequest(ExplainRequest, (params: StatementAtParams) => this.explain(params));
    // The plan as data for the plan view (VS Code's webview): drawn by the client, planned here.
    connection.onRequest(PlanViewRequest, async (params: PlanViewParams): Promise<PlanViewResult> => {
      const result = await this.resultFor(params.uri);
      return result ? planViewFor(result.analysis, params, result.folder.state) : { error: 'This document is not analysed by pglens.' };
    });
    // For benchmarks and bug reports: where the server's memory goes.
    connection.onRequest('pglens/memoryUsage', () => process.memoryUsage());
    // For clients and tests that need to know the diagnostics are final: diagnostics go out as soon as the plans are
    // checked and again when the index advisor's what-if planning is in; this answers after the last publication.
    connection.onRequest('pglens/analysisComplete', async (params: { uri: string }) => {
      const result = await this.scheduler.current(params.uri, true);
      return result ? { version: result.version, findings: result.analysis.findings.length } : null;
    });
    connection.onRequest(ExplainAnalyzeRequest, (params: ExplainAnalyzeParams) => this.explainAnalyze(params));

    connection.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    const capabilities = params.capabilities;
    this.initOptions = (params.initializationOptions ?? {}) as PglensInitializationOptions;
    this.password = this.initOptions.password || undefined;
    this.productionPassword = this.initOptions.productionPassword || undefined;
    this.codeLensRefresh = capabilities.workspace?.codeLens?.refreshSupport === true;
    this.trusted = this.initOptions.trusted !== false && this.initOptions.untrusted !== true;
    this.userDatabaseUrl = this.initOptions.userDatabaseUrl || undefined;
    this.pullDiagnostics = capabilities.textDocument?.diagnostic !== undefined;
    this.diagnosticRefresh = capabilities.workspace?.diagnostics?.refreshSupport === true;
    this.configurationRequests = capabilities.workspace?.configuration === true;
    this.watcherRegistration = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.workspaceFolderEvents = capabilities.workspace?.workspaceFolders === true;
    this.configurationRegistration = capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    this.showDocumentSupport = capabilities.window?.showDocument?.support === true;
    const workspaceEdit = capabilities.workspace?.workspaceEdit;
    this.codeActionSupport = {
      documentChanges: workspaceEdit?.documentChanges === true,
      createFile: workspaceEdit?.resourceOperations?.includes('create') === true,
    };

    this.folders = new WorkspaceFolders({
      log: (message) => this.log(message),
      settingsFor: (uri) => this.settingsFor(uri),
      password: () => this.password,
      productionPassword: () => this.productionPassword,
      onRuntimeNumbers: (folder) => this.folderReloaded(folder),
      trusted: () => this.trusted,
      userDatabaseUrl: () => this.userDatabaseUrl,
      allowEmbedded: this.initOptions.allowEmbedded !== false,
      cacheDir: this.initOptions.cacheDir,
      onReload: (folder) => this.folderReloaded(folder),
      onStateChange: () => this.sendStatus(),
    });
    const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: path.basename(uriToPath(params.rootUri) ?? params.rootUri) }] : []);
    this.folders.setFolders(folders);
    this.scheduler = new AnalysisScheduler({
      document: (uri) => this.documents.get(uri),
      folders: this.folders,
      debounceMs: (uri) => this.debounceMs(uri),
      onResult: (result) => this.published(result),
      log: (message) => this.log(message),
    });

    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: ['.'] },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: [OPEN_RULE_DOCS_COMMAND, SHOW_PLAN_WITH_INDEX_COMMAND, FILE_WRITTEN_COMMAND, WRITE_FILE_COMMAND, EXPLAIN_ANALYZE_COMMAND] },
        diagnosticProvider: this.pullDiagnostics ? { interFileDependencies: false, workspaceDiagnostics: false } : undefined,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'pglens', version: typeof PGLENS_VERSION === 'string' ? PGLENS_VERSION : undefined },
    };
  }

  private async initialized(): Promise<void> {
    // The getter throws when the client did not announce workspace folder support.
    if (this.workspaceFolderEvents) this.connection.workspace.onDidChangeWorkspaceFolders(() => void this.syncWorkspaceFolders());
    if (this.watcherRegistration) {
      // pglens.json anywhere (a folder reads the nearest one up) and .sql files (schema and migrations).
      await this.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/pglens.json' }, { globPattern: '**/*.sql' }] })
        .catch((error: Error) => this.log(`could not watch files: ${error.message}`));
    }
    if (this.configurationRegistration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'pglens' }).catch(() => undefined);
    }
    // Connect eagerly, so the status bar shows the database before the first document is analysed.
    await Promise.all(this.folders.statuses().map((status) => this.folders.folderFor(status.folder).catch(() => undefined)));
    this.sendStatus();
  }

  private async syncWorkspaceFolders(): Promise<void> {
    const folders = await this.connection.workspace.getWorkspaceFolders().catch(() => null);
    this.folders.setFolders(folders ?? []);
    this.scheduler.scheduleAll(this.analysedUris());
    this.sendStatus();
  }

  private isAnalysed(document: TextDocument): boolean {
    return ANALYSED_LANGUAGES.has(document.languageId) || ANALYSED_EXTENSIONS.test(document.uri);
  }

  private analysedUris(): string[] {
    return this.documents.all().filter((d) => this.isAnalysed(d)).map((d) => d.uri);
  }

  private changed(document: TextDocument, opened: boolean): void {
    if (!this.isAnalysed(document)) return;
    // Diagnostics "Re-analyse Workspace" pushed for this file while it was closed: a client that pulls gets the open
    // document's own, and would otherwise show both.
    if (opened && this.workspaceDiagnostics.delete(document.uri) && this.pullDiagnostics) void this.connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    // onDidChangeContent also fires on open, right after onDidOpen: schedule each version once.
    if (this.scheduledVersions.get(document.uri) === document.version) return;
    this.scheduledVersions.set(document.uri, document.version);
    // A document just opened is analysed at once; edits wait for the debounce.
    this.scheduler.schedule(document.uri, opened);
  }

  private closed(uri: string): void {
    this.scheduledVersions.delete(uri);
    this.codeLensKeys.delete(uri);
    this.scheduler.close(uri);
    this.findingCounts.delete(uri);
    if (!this.pullDiagnostics) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.sendStatus();
  }

  private published(result: AnalysisResult): void {
    this.findingCounts.set(result.uri, result.analysis.findings.length);
    this.refreshCodeLenses(result);
    if (result.folder.state.state === 'embedded') void this.checkEmbeddedSchema(result.folder);
    if (this.pullDiagnostics) {
      // The client pulls; a pull waiting for this version was answered by the scheduler.
    } else {
      void this.connection.sendDiagnostics({ uri: result.uri, version: result.version, diagnostics: findingsToDiagnostics(result.analysis.findings, result.version) });
    }
    this.sendStatus();
  }

  /** New numbers or statements: clients that support it are asked to fetch the lenses again when their texts changed. */
  private refreshCodeLenses(result: AnalysisResult): void {
    if (!this.codeLensRefresh) return;
    const asked = this.codeLensKeys.get(result.uri);
    const key = codeLensKey(runtimeCodeLenses(result.analysis));
    if (asked === key || (asked === undefined && key === '')) return;
    this.codeLensKeys.set(result.uri, key);
    void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  }

  private folderReloaded(folder: FolderContext): void {
    if (folder.configError && !this.warnedConfigErrors.has(folder.configError)) {
      this.warnedConfigErrors.add(folder.configError);
      void this.connection.window.showWarningMessage(`pglens: invalid config: ${folder.configError}`);
    }
    if (!this.scheduler) return;
    const uris = this.analysedUris().filter((uri) => this.folders.loadedFolderFor(uri) === folder);
    this.scheduler.scheduleAll(uris);
    if (this.pullDiagnostics && this.diagnosticRefresh) {
      // Pulls answered from the old engine are outdated: ask the client to pull again once the new results are in.
      void Promise.all(uris.map((uri) => this.scheduler.current(uri, false))).then(() => this.connection.languages.diagnostics.refresh().catch(() => undefined));
    }
  }

  private async watchedFilesChanged(changes: { uri: string; type: FileChangeType }[]): Promise<void> {
    const configs = new Set<string>();
    const sqlFiles = new Set<string>();
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      if (path.basename(file) === 'pglens.json') configs.add(file);
      else if (file.endsWith('.sql')) sqlFiles.add(file);
    }
    for (const file of configs) {
      this.log(`${file} changed: reloading the configuration`);
      await this.folders.reloadFoldersContaining(file);
    }
    for (const file of sqlFiles) {
      // An open .sql file being edited is re-analysed anyway; a schema change shows through the schema facts.
      await this.folders.sqlFileChanged(file);
    }
  }

  private async reloadAll(): Promise<void> {
    await this.folders.reloadAll().catch((error: Error) => this.log(`reload failed: ${error.message}`));
  }

  private async settingsFor(folderUri: string): Promise<PglensSettings> {
    if (this.configurationRequests) {
      const settings = (await this.connection.workspace.getConfiguration({ scopeUri: folderUri, section: 'pglens' })) as PglensSettings | null;
      return { ...this.initOptions.settings, ...(settings ?? {}) };
    }
    return { ...this.initOptions.settings, ...this.pushedSettings };
  }

  private debounceMs(uri: string): number {
    const configured = this.folders.loadedFolderFor(uri)?.settings.debounceMs ?? this.pushedSettings?.debounceMs ?? this.initOptions.settings?.debounceMs;
    return typeof configured === 'number' && configured >= 0 ? configured : DEFAULT_DEBOUNCE_MS;
  }

  /**
   * "Re-analyse Workspace": every folder reloaded (cached plans and schema facts forgotten, the database reconnected),
   * then every file pglens would check analysed one after the other: open documents through the scheduler, the others
   * from disk with their diagnostics published. Stops between files when cancelled.
   */
  private async reanalyzeWorkspace(token: CancellationToken): Promise<ReanalyzeResult> {
    await this.folders.reloadAll();
    const open = new Set(this.analysedUris());
    const work: { uri: string; folder?: FolderContext; file?: string; label: string }[] = [...open].map((uri) => ({ uri, label: uriToPath(uri) ?? uri }));
    for (const status of this.folders.statuses()) {
      const folder = await this.folders.folderFor(status.folder).catch(() => undefined);
      if (!folder) continue;
      let files: string[] = [];
      try {
        files = folder.listFiles();
      } catch (error) {
        this.log(`${folder.name}: cannot list files: ${(error as Error).message}`);
      }
      for (const file of files) {
        const uri = pathToFileURL(file).toString();
        if (!open.has(uri)) work.push({ uri, folder, file, label: path.relative(folder.root, file) });
      }
    }
    const controller = new AbortController();
    const stop = token.onCancellationRequested(() => controller.abort());
    let findings = 0;
    let done = 0;
    try {
      for (const item of work) {
        if (token.isCancellationRequested) break;
        void this.connection.sendNotification(ReanalyzeProgressNotification, { done, total: work.length, file: item.label } satisfies ReanalyzeProgressParams);
        if (!item.folder || !item.file) {
          findings += (await this.scheduler.current(item.uri, true))?.analysis.findings.length ?? 0;
        } else {
          const read = readWorkspaceTextFile(item.file, { root: item.folder.root, maxBytes: DEFAULT_MAX_SOURCE_BYTES });
          if (!read.ok) {
            this.log(`skipped ${item.label}: ${read.reason}`);
          } else {
            try {
              const analysis = await item.folder.engine.analyzeFile(item.file, read.text, { signal: controller.signal });
              findings += analysis.findings.length;
              // Opened meanwhile: the open document's analysis speaks for it.
              if (!this.documents.get(item.uri)) {
                this.workspaceDiagnostics.add(item.uri);
                void this.connection.sendDiagnostics({ uri: item.uri, diagnostics: findingsToDiagnostics(analysis.findings, 0) });
              }
            } catch (error) {
              if (controller.signal.aborted) break;
              this.log(`analysis of ${item.label} failed: ${(error as Error).message}`);
            }
          }
        }
        done++;
      }
    } finally {
      stop.dispose();
    }
    void this.connection.sendNotification(ReanalyzeProgressNotification, { done, total: work.length } satisfies ReanalyzeProgressParams);
    this.log(`re-analysed ${done} of ${work.length} files: ${findings} findings${token.isCancellationRequested ? ' (cancelled)' : ''}`);
    return { documents: open.size, files: done, findings, cancelled: token.isCancellationRequested };
  }

  /** The analysis of the current version, or the last one if it takes too long (hover must not hang). */
  private async resultFor(uri: string): Promise<AnalysisResult | undefined> {
    const current = this.scheduler.current(uri, true);
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), WAIT_FOR_ANALYSIS_MS).unref());
    return (await Promise.race([current, timeout])) ?? this.scheduler.latest(uri);
  }

  private async explain(params: StatementAtParams): Promise<ExplainResult> {
    const result = await this.resultFor(params.uri);
    if (!result) return { error: 'This document is not analysed by pglens.' };
    const statement = statementAt(result.analysis, params.position);
    if (!statement) return { error: 'No SQL statement at the cursor.' };
    if (!statement.plan) return { statement: statement.statement.text, error: capitalize(notPlannedLine(statement.planSkippedReason ?? 'unknown reason', result.folder.state)) };
    return {
      statement: statement.statement.text,
      markdown: ['# pglens · plan', '', '```sql', statement.statement.text, '```', '', renderPlanMarkdown(statement.plan)].join('\n'),
    };
  }

  private async explainAnalyze(params: ExplainAnalyzeParams): Promise<ExplainAnalyzeResult> {
    const result = await this.resultFor(params.uri);
    if (!result) return { error: 'This document is not analysed by pglens.' };
    const statement = statementAt(result.analysis, params.position);
    if (!statement) return { error: 'No SQL statement at the cursor.' };
    if (!this.trusted) return { statement: statement.statement.text, error: 'The workspace is not trusted: pglens does not run EXPLAIN ANALYZE in it.' };
    // A confirmation is for one statement text: after an edit, the statement at the position must be asked about again.
    const confirmed = params.confirmed === true && params.confirmedStatement === statement.statement.text;
    const outcome = await runExplainAnalyze(result.folder, statement, { confirmed, values: params.values, timeoutMs: params.timeoutMs });
    if (outcome.error) outcome.error = redactSecrets(outcome.error, this.password);
    const waiting = outcome.needsValues ? 'waiting for parameter values' : outcome.needsConfirmation ? 'waiting for confirmation' : undefined;
    this.log(`EXPLAIN ANALYZE at ${params.uri}:${params.position.line + 1}: ${outcome.error ?? waiting ?? `${outcome.executionTimeMs?.toFixed(1)} ms`}`);
    return outcome;
  }

  /**
   * An embedded database with too little schema is said once, in the folder's status (the client shows it once), not
   * as a plan-error per statement: the engine judges it from the relations of the documents analysed so far.
   */
  private async checkEmbeddedSchema(folder: FolderContext): Promise<void> {
    const assessment = await folder.engine.schemaAssessment().catch(() => undefined);
    const warning = assessment ? schemaProblemLine(assessment, 'editor') : undefined;
    if (folder.state.state !== 'embedded' || folder.state.schemaWarning === warning) return;
    folder.state = { ...folder.state, schemaWarning: warning };
    this.sendStatus();
    if (!warning) return;
    this.log(`${folder.name}: ${warning}`);
    // Once per distinct line, in every editor (VS Code shows it as a notification; the status bar keeps it).
    if (!this.warnedSchemaProblems.has(warning)) {
      this.warnedSchemaProblems.add(warning);
      void this.connection.window.showWarningMessage(`pglens: ${warning}`);
    }
    // Documents analysed before the verdict may show plan errors about tables the schema lacks: analyse them again.
    this.folderReloaded(folder);
  }

  /**
   * A message with no buttons: the window/showMessage notification. (connection.window.show*Message sends the
   * showMessageRequest request, which Neovim answers with a prompt that waits for a key.)
   */
  private tell(type: MessageType, message: string): void {
    void this.connection.sendNotification(ShowMessageNotification.type, { type, message });
  }

  /** window/showDocument where the client has it; false where it has not or it failed (the caller says it another way). */
  private async showDocument(params: { uri: string; external?: boolean; takeFocus?: boolean }): Promise<boolean> {
    if (!this.showDocumentSupport) return false;
    return this.connection.window.showDocument(params).then(
      (result) => result.success,
      () => false,
    );
  }

  private sendStatus(): void {
    if (!this.folders) return;
    let findingCount = 0;
    for (const count of this.findingCounts.values()) findingCount += count;
    const status: StatusParams = { folders: this.folders.statuses(), findingCount };
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    void this.connection.sendNotification(StatusNotification, status);
  }

  private log(message: string): void {
    this.connection.console.log(`[${new Date().toISOString().slice(11, 23)}] ${redactSecrets(redactSecrets(message, this.password), this.productionPassword)}`);
  }
}

function isObject<T>(value: unknown, key: keyof T, type: 'string' | 'number' = 'string'): value is T {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[key as string] === type;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

declare const PGLENS_VERSION: string | undefined;

// A real LSP client for the protocol tests: spawns `node out/server.js --stdio` and talks JSON-RPC to it with
// vscode-jsonrpc, answering the server's requests the way an editor would (workspace/configuration, capability
// registration, showDocument).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, InitializeResult } from 'vscode-languageserver-protocol';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const SERVER_JS = join(REPO_ROOT, 'out', 'server.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a test file run on its own rebuilds out/server.js when the sources are newer. */
export function ensureServerBuilt(): void {
  if (process.env.PGLENS_TEST_NO_BUILD === '1') return;
  if (existsSync(SERVER_JS) && statSync(SERVER_JS).mtimeMs >= newestMtime(join(REPO_ROOT, 'server', 'src'))) return;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
  at: number;
}

export interface StartOptions {
  rootDir: string;
  /** Answers to workspace/configuration for section `pglens` (undefined: the client has no configuration support). */
  settings?: Record<string, unknown>;
  initializationOptions?: Record<string, unknown>;
  /** Declare pull diagnostics support (textDocument/diagnostic). */
  pullDiagnostics?: boolean;
  /** A client like Neovim 0.7 or eglot: plain `changes` edits only (no documentChanges, no file creation). */
  plainEdits?: boolean;
  env?: NodeJS.ProcessEnv;
}

export class LspTestClient {
  readonly published: PublishedDiagnostics[] = [];
  readonly statuses: Record<string, unknown>[] = [];
  /** workspace/applyEdit requests from the server (answered as applied). */
  readonly appliedEdits: unknown[] = [];
  readonly logs: string[] = [];
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  readonly shownDocuments: unknown[] = [];
  /** workspace/codeLens/refresh requests from the server. */
  codeLensRefreshes = 0;
  settings: Record<string, unknown> | undefined;
  initializeResult!: InitializeResult;
  private readonly listeners = new Set<() => void>();
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly connection: MessageConnection,
    readonly child: ChildProcess,
    readonly stderr: string[],
  ) {}

  static async start(options: StartOptions): Promise<LspTestClient> {
    ensureServerBuilt();
    const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { cwd: options.rootDir, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(connection, child, stderr);
    client.settings = options.settings;
    client.wire();
    connection.listen();
    const rootUri = pathToUri(options.rootDir);
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'fixture' }],
      initializationOptions: options.initializationOptions,
      capabilities: {
        workspace: {
          configuration: options.settings !== undefined,
          didChangeWatchedFiles: { dynamicRegistration: true },
          didChangeConfiguration: { dynamicRegistration: true },
          workspaceFolders: true,
          workspaceEdit: options.plainEdits ? {} : { documentChanges: true, resourceOperations: ['create'] },
          diagnostics: options.pullDiagnostics ? { refreshSupport: true } : undefined,
          codeLens: { refreshSupport: true },
        },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, dataSupport: true },
          diagnostic: options.pullDiagnostics ? { dynamicRegistration: false, relatedDocumentSupport: false } : undefined,
        },
        window: { showDocument: { support: true } },
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  private wire(): void {
    const c = this.connection;
    c.onNotification('textDocument/publishDiagnostics', (params: { uri: string; version?: number; diagnostics: Diagnostic[] }) => {
      this.published.push({ ...params, at: performance.now() });
      this.notify();
    });
    c.onNotification('pglens/status', (params: Record<string, unknown>) => {
      this.statuses.push(params);
      this.notify();
    });
    c.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
      this.notify();
    });
    c.onNotification('window/showMessage', (params: { message: string }) => {
      this.logs.push(`showMessage: ${params.message}`);
    });
    c.onRequest('window/showMessageRequest', (params: { message: string }) => {
      this.logs.push(`showMessage: ${params.message}`);
      return null;
    });
    c.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map(() => this.settings ?? null));
    c.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...params.registrations);
      this.notify();
      return null;
    });
    c.onRequest('client/unregisterCapability', () => null);
    c.onRequest('window/workDoneProgress/create', () => null);
    c.onRequest('workspace/diagnostic/refresh', () => {
      this.logs.push('diagnostic refresh requested');
      this.notify();
      return null;
    });
    c.onRequest('workspace/codeLens/refresh', () => {
      this.codeLensRefreshes++;
      this.notify();
      return null;
    });
    c.onRequest('workspace/applyEdit', (params: unknown) => {
      this.appliedEdits.push(params);
      return { applied: true };
    });
    c.onRequest('window/showDocument', (params: unknown) => {
      this.shownDocuments.push(params);
      return { success: true };
    });
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves when `check` returns a value other than undefined (checked at once and on every message). */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    return new Promise<T>((resolvePromise, reject) => {
      const attempt = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value !== undefined) {
          finish();
          resolvePromise(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nserver log:\n${this.logs.slice(-30).join('\n')}\n${this.stderr.join('')}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.listeners.delete(attempt);
      };
      this.listeners.add(attempt);
      attempt();
    });
  }

  /** The next diagnostics published for `uri` (after `since` publications) whose version is at least `version`. */
  waitForDiagnostics(uri: string, options: { version?: number; since?: number; timeoutMs?: number } = {}): Promise<PublishedDiagnostics> {
    const since = options.since ?? 0;
    return this.waitFor(
      `diagnostics for ${uri}${options.version !== undefined ? ` version ${options.version}` : ''}`,
      () => this.published.slice(since).find((p) => p.uri === uri && (options.version === undefined || (p.version ?? -1) >= options.version)),
      options.timeoutMs,
    );
  }

  waitForStatus(predicate: (status: Record<string, unknown>) => boolean, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return this.waitFor('pglens/status', () => [...this.statuses].reverse().find(predicate), timeoutMs);
  }

  async open(uri: string, languageId: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends an incremental change; returns the new version. */
  async change(uri: string, changes: { range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }[]): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /**
   * Resolves once the diagnostics of the document's current version are final: the server publishes as soon as the
   * plans are checked and again when new what-if planning (index suggestions) is in.
   */
  async analysisComplete(uri: string): Promise<void> {
    await this.request('pglens/analysisComplete', { uri });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  notify_(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    await new Promise<void>((resolveExit) => {
      if (this.child.exitCode !== null) return resolveExit();
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolveExit();
      }, 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolveExit();
      });
    });
    this.connection.dispose();
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(resolve(file)).toString();
}

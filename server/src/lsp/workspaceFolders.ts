// One context per workspace folder: its pglens.json merged with the editor's settings, its database and its
// Engine. Multi-root workspaces get one context per folder, each with its own config and connection. A document
// outside every folder (an editor started on a single file) gets a context for the folder of its pglens.json,
// or of the file itself.

import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, DEFAULT_PRODUCTION_REFRESH_SECONDS, parseSeverity, type PglensConfig, type RuleSetting } from '../engine/config';
import { LiveRuntimeNumbers } from '../engine/snapshot/live';
import type { ProductionNumbersState } from '../engine/snapshot/productionSource';
import type { DatabaseClient, DatabaseHealth } from '../engine/db/client';
import { loadWorkspaceConfig, openWorkspace, workspaceRootFor, type WorkspaceEngine } from '../engine/workspace';
import type { DatabaseState, FolderStatus, PglensSettings } from './protocol';
import { redactSecrets, withPassword } from './secrets';

export interface FolderContext {
  /** file:// URI of the folder. */
  uri: string;
  name: string;
  root: string;
  config: PglensConfig;
  configError?: string;
  engine: WorkspaceEngine;
  database?: DatabaseClient;
  state: DatabaseState;
  settings: PglensSettings;
  /** Changes on every reload, so results computed with an older engine are recognised. */
  generation: number;
  /** Where production's runtime numbers come from (snapshot file, live mode), when there are any. */
  production?: ProductionNumbersState;
  /** Live mode (`production.url`): reads the numbers on an interval; stopped when the folder is reloaded or closed. */
  live?: LiveRuntimeNumbers;
  /** Whether the config's include/exclude globs accept a file. */
  accepts(file: string): boolean;
  /** Every file `pglens check` would check in this folder (the workspace core's file list), sorted. */
  listFiles(): string[];
}

export interface WorkspaceFoldersOptions {
  log(message: string): void;
  /** Editor settings for a folder (workspace/configuration, or initializationOptions for other editors). */
  settingsFor(folderUri: string): Promise<PglensSettings>;
  password(): string | undefined;
  /** The password of `production.url` (live mode), kept in memory only. */
  productionPassword?(): string | undefined;
  /** False in an untrusted workspace (VS Code Workspace Trust); other editors' workspaces are trusted. */
  trusted(): boolean;
  /** The database URL of the user's own settings, the only one used in an untrusted workspace. */
  userDatabaseUrl?(): string | undefined;
  allowEmbedded: boolean;
  cacheDir?: string;
  /** A folder's context was replaced (config, settings or database changed). */
  onReload(folder: FolderContext): void;
  onStateChange(): void;
  /** Live mode read new production numbers for a folder (its analyses are redone with them). */
  onRuntimeNumbers?(folder: FolderContext): void;
}

interface FolderSlot {
  uri: string;
  name: string;
  root: string;
  /** Set for folders the editor declared; loose folders come from documents outside every workspace folder. */
  declared: boolean;
  current?: FolderContext;
  loading?: Promise<FolderContext>;
  /** Serialises reloads: a newer reload waits for the older one, then replaces it. */
  queue: Promise<unknown>;
  retryTimer?: NodeJS.Timeout;
  retryDelayMs: number;
  /** The untrusted-workspace notice is logged once per folder. */
  untrustedNoticeLogged?: boolean;
}

const UNTRUSTED_NOTICE = 'untrusted workspace: the database settings of pglens.json and of the workspace are ignored';

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 60_000;

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).toString();
}

export class WorkspaceFolders {
  private readonly slots = new Map<string, FolderSlot>();
  private generation = 0;
  private disposed = false;

  constructor(private readonly options: WorkspaceFoldersOptions) {}

  setFolders(folders: { uri: string; name: string }[]): void {
    const wanted = new Set<string>();
    for (const folder of folders) {
      const root = uriToPath(folder.uri);
      if (!root) continue;
      wanted.add(root);
      const existing = this.slots.get(root);
      if (existing) existing.declared = true;
      else this.slots.set(root, this.newSlot(folder.uri, folder.name, root, true));
    }
    for (const [root, slot] of this.slots) {
      if (slot.declared && !wanted.has(root)) {
        this.slots.delete(root);
        void this.closeSlot(slot);
      }
    }
  }

  /** The context of the folder a document belongs to (the innermost declared folder containing it). */
  async folderFor(documentUri: string): Promise<FolderContext> {
    return this.load(this.slotFor(documentUri));
  }

  /** The folder context if it is loaded already (for status and code actions). */
  loadedFolderFor(documentUri: string): FolderContext | undefined {
    return this.slotFor(documentUri).current;
  }

  /** Reload every folder (settings changed, password set, trust granted, "Re-analyse Workspace"). */
  async reloadAll(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => this.reload(slot)));
  }

  /** A pglens.json was created, changed or deleted: reload the folders that read it. */
  async reloadFoldersContaining(file: string): Promise<void> {
    // A folder reads the pglens.json of its root or of the nearest parent folder (workspace.ts).
    const affected = [...this.slots.values()].filter(
      (slot) => isInside(slot.root, path.dirname(file)) || (slot.current?.config.file !== undefined && sameFile(slot.current.config.file, file)),
    );
    await Promise.all(affected.map((slot) => this.reload(slot)));
  }

  /**
   * A .sql file changed (a migration, a schema file). An embedded database is rebuilt from the schema; against a real
   * database the schema facts are read again, which re-keys the plan cache (a migration may have been applied).
   */
  async sqlFileChanged(file: string): Promise<FolderContext[]> {
    const changed: FolderContext[] = [];
    for (const slot of this.slots.values()) {
      const folder = slot.current;
      if (!folder || !isInside(file, folder.config.root)) continue;
      if (folder.database?.info.kind === 'embedded') {
        await this.reload(slot);
      } else {
        // Plans are keyed by the schema's fingerprint: unchanged tables keep their cached plans.
        folder.engine.refreshSchema();
        this.options.onReload(folder);
      }
      changed.push(folder);
    }
    return changed;
  }

  statuses(): FolderStatus[] {
    return [...this.slots.values()]
      .filter((slot) => slot.declared || slot.current)
      .map((slot) => {
        const folder = slot.current;
        const state: DatabaseState = folder?.state ?? { state: 'starting' };
        return { ...state, folder: slot.uri, name: slot.name, configFile: folder?.config.file, configError: folder?.configError, ...(folder?.production ? { production: folder.production } : {}) };
      });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.slots.values()].map((slot) => this.closeSlot(slot)));
    this.slots.clear();
  }

  private newSlot(uri: string, name: string, root: string, declared: boolean): FolderSlot {
    return { uri, name, root, declared, queue: Promise.resolve(), retryDelayMs: FIRST_RETRY_MS };
  }

  private slotFor(documentUri: string): FolderSlot {
    const file = uriToPath(documentUri);
    let best: FolderSlot | undefined;
    if (file) {
      for (const slot of this.slots.values()) {
        if (slot.declared && isInside(file, slot.root) && (!best || slot.root.length > best.root.length)) best = slot;
      }
    }
    if (best) return best;
    // Outside every workspace folder: the folder of its pglens.json, else its own folder (or the process's for untitled).
    const root = workspaceRootFor(file ? path.dirname(file) : process.cwd());
    for (const slot of this.slots.values()) if (slot.root === root) return slot;
    const slot = this.newSlot(pathToUri(root), path.basename(root) || root, root, false);
    this.slots.set(root, slot);
    return slot;
  }

  private load(slot: FolderSlot): Promise<FolderContext> {
    if (slot.current) return Promise.resolve(slot.current);
    slot.loading ??= this.reload(slot);
    return slot.loading;
  }

  private reload(slot: FolderSlot): Promise<FolderContext> {
    const run = slot.queue.then(() => this.build(slot));
    slot.queue = run.catch(() => undefined);
    slot.loading = run;
    return run;
  }

  private async build(slot: FolderSlot): Promise<FolderContext> {
    clearTimeout(slot.retryTimer);
    const log = this.options.log;
    const trusted = this.options.trusted();
    const editorSettings = await this.options.settingsFor(slot.uri).catch(() => ({}) as PglensSettings);
    // Workspace Trust: in an untrusted workspace the repository may not choose the database or the config file, and
    // an editor's settings may be the workspace's own (.vscode/settings.json): only the user's database URL counts.
    const settings: PglensSettings = trusted ? editorSettings : { ...editorSettings, configPath: undefined, database: undefined, production: undefined };
    const previous = slot.current;
    const userUrl = trusted ? undefined : this.options.userDatabaseUrl?.()?.trim() || undefined;
    const password = this.options.password();
    // A pglens.json being edited is often invalid for a moment: keep working with the last valid one meanwhile.
    let configError: string | undefined;
    try {
      loadWorkspaceConfig(slot.root, { configFile: settings.configPath || undefined, cwd: slot.root, allowEmbedded: false, trusted, userDatabaseUrl: userUrl });
    } catch (error) {
      configError = redactSecrets(error instanceof ConfigError ? error.message : `cannot read the config: ${(error as Error).message}`, password);
    }
    if (configError && previous) {
      log(`${slot.name}: ${configError}`);
      const kept: FolderContext = { ...previous, configError, generation: ++this.generation, live: undefined };
      previous.live?.stop();
      slot.current = kept;
      this.startLiveMode(slot, kept, previous.settings, trusted);
      this.options.onReload(kept);
      this.options.onStateChange();
      return kept;
    }
    const workspace = await openWorkspace(slot.root, {
      cwd: slot.root,
      configFile: settings.configPath || undefined,
      databaseUrl: settings.database?.url || undefined,
      rules: mergeRuleSettings({}, settings.rules, log),
      env: process.env,
      // The embedded database runs the repository's schema files: not for an untrusted one (the core knows).
      allowEmbedded: this.options.allowEmbedded,
      cacheDir: this.options.cacheDir,
      trusted,
      userDatabaseUrl: userUrl,
      password,
      withPassword: (url) => withPassword(url, password),
      incremental: true,
      onConfigError: 'defaults',
      onDatabaseError: 'continue',
      log: (message) => log(`${slot.name}: ${redactSecrets(message, password)}`),
      onProgress: (message) => log(`${slot.name}: ${message}`),
    });
    if (workspace.configError) log(`${slot.name}: ${configError ?? redactSecrets(workspace.configError, password)}`);
    if (!trusted && !slot.untrustedNoticeLogged) {
      slot.untrustedNoticeLogged = true;
      log(`${slot.name}: ${UNTRUSTED_NOTICE}${userUrl ? '; using pglens.database.url from your user settings' : ''}`);
    }
    const { config, database, engine } = workspace;
    let state: DatabaseState;
    if (workspace.databaseError) {
      const reason = redactSecrets(workspace.databaseError.message, password);
      const label = databaseLabelOf(settings.database?.url || workspace.config.database.url || (trusted ? process.env.DATABASE_URL : userUrl));
      state = { state: 'disconnected', reason, ...(label ? { label } : {}) };
      log(`${slot.name}: database unavailable: ${reason} (retrying in ${Math.round(slot.retryDelayMs / 1000)} s)`);
      this.scheduleRetry(slot);
    } else {
      if (!trusted && !userUrl) {
        state = { state: 'static', reason: 'untrusted workspace: no database from the workspace (set pglens.database.url in your user settings, or trust the workspace)' };
      } else if (!database) state = { state: 'static', reason: 'no database configured (set database.url in pglens.json or pglens.database.url)' };
      else if (database.info.kind === 'embedded') {
        state = { state: 'embedded', label: database.info.label, serverVersion: database.info.serverVersion, note: database.info.syntheticDataNote };
      } else {
        state = { state: 'connected', label: database.info.label, serverVersion: database.info.serverVersion, hypopg: database.info.hypopg };
      }
      slot.retryDelayMs = FIRST_RETRY_MS;
    }
    if (this.disposed) {
      await workspace.close();
      throw new Error('language server is shutting down');
    }
    // The folder's migrations, in order, listed when a migration is first analysed: DML after a migration that changes
    // its tables is not planned on today's schema.
    workspace.setRunFiles(() => workspace.listFiles([config.root]));
    const accepts = workspace.accepts;
    const folder: FolderContext = {
      uri: slot.uri,
      name: slot.name,
      root: slot.root,
      config,
      configError: configError ?? (workspace.configError ? redactSecrets(workspace.configError, password) : undefined),
      engine,
      database,
      state,
      settings,
      generation: ++this.generation,
      accepts,
      listFiles: () => workspace.listFiles([config.root]),
      ...(workspace.snapshot && workspace.runtimeCosts ? { production: { source: 'snapshot', takenAt: workspace.snapshot.takenAt } as const } : {}),
    };
    previous?.live?.stop();
    slot.current = folder;
    this.startLiveMode(slot, folder, settings, trusted);
    if (database?.health && state.state === 'connected') this.followHealth(slot, folder, database.health, state);
    const describe = state.state === 'connected' || state.state === 'embedded' ? `${state.state} to ${state.label} (PostgreSQL ${state.serverVersion})` : `${state.state}: ${'reason' in state ? state.reason : ''}`;
    log(`${slot.name}: ${config.file ? `config ${config.file}` : 'no pglens.json'}; ${describe}`);
    if (previous?.database && previous.database !== database) await previous.database.close().catch(() => undefined);
    this.options.onReload(folder);
    this.options.onStateChange();
    return folder;
  }

  /**
   * A database that goes away after connecting: the folder shows "disconnected" with the reason (the client keeps
   * retrying on a backoff, and analyses meanwhile say their statements were not planned), and when it answers again
   * the folder is "connected" and its documents are analysed again. The server itself never stops for it.
   */
  private followHealth(slot: FolderSlot, folder: FolderContext, health: DatabaseHealth, connected: DatabaseState): void {
    const stop = health.onChange((change) => {
      if (this.disposed || slot.current !== folder) {
        stop();
        return;
      }
      if (change.state === 'disconnected') {
        const reason = redactSecrets(change.reason, this.options.password());
        folder.state = { state: 'disconnected', reason, label: 'label' in connected ? connected.label : undefined };
        this.options.log(`${slot.name}: database unavailable: ${reason} (reconnecting)`);
      } else {
        folder.state = connected;
        this.options.log(`${slot.name}: database reachable again`);
        // Schema facts and plans that failed meanwhile are not cached: analysing again re-plans them.
        folder.engine.refreshSchema();
        this.options.onReload(folder);
      }
      this.options.onStateChange();
    });
  }

  /**
   * Live mode: with `production.url` (editor setting or pglens.json; never in an untrusted workspace) the folder's
   * runtime numbers are read from production every `refreshSeconds`, replacing the snapshot's. The password comes from
   * the editor's secret storage and lives only in the URL handed to the reader.
   */
  private startLiveMode(slot: FolderSlot, folder: FolderContext, settings: PglensSettings, trusted: boolean): void {
    const url = trusted ? settings.production?.url?.trim() || folder.config.production?.url : undefined;
    if (!url || this.disposed) return;
    // The editor's setting when it is a valid one (at least 30 s: each read is a connection to production).
    const fromSettings = settings.production?.refreshSeconds;
    const refreshSeconds = typeof fromSettings === 'number' && fromSettings >= 30 ? fromSettings : (folder.config.production?.refreshSeconds ?? DEFAULT_PRODUCTION_REFRESH_SECONDS);
    const current = () => !this.disposed && slot.current === folder;
    folder.production = { source: 'connecting' };
    folder.live = new LiveRuntimeNumbers({
      url: withPassword(url, this.options.productionPassword?.()),
      refreshSeconds,
      log: (message) => this.options.log(`${slot.name}: ${message}`),
      onNumbers: (costs) => {
        if (!current()) return;
        folder.engine.setRuntimeCosts(costs);
        this.options.onRuntimeNumbers?.(folder);
      },
      onState: (state) => {
        if (!current()) return;
        folder.production = state;
        this.options.onStateChange();
      },
    });
    folder.live.start();
  }

  /** Live mode reads now in every folder that has it; resolves when the reads are done. */
  async refreshProduction(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => slot.current?.live?.refresh()));
  }

  private scheduleRetry(slot: FolderSlot): void {
    if (this.disposed) return;
    const delay = slot.retryDelayMs;
    slot.retryDelayMs = Math.min(MAX_RETRY_MS, delay * 2);
    slot.retryTimer = setTimeout(() => {
      if (!this.disposed && this.slots.get(slot.root) === slot) void this.reload(slot).catch(() => undefined);
    }, delay);
    slot.retryTimer.unref();
  }

  private async closeSlot(slot: FolderSlot): Promise<void> {
    clearTimeout(slot.retryTimer);
    slot.current?.live?.stop();
    await slot.current?.database?.close().catch(() => undefined);
  }
}

/**
 * `user@host:port/db` of a connection URL, as a connected database's label reads (postgres.ts), for saying which
 * database does not answer; never the password. Undefined for what is not a postgres:// URL.
 */
export function databaseLabelOf(url: string | undefined): string | undefined {
  if (!url || !/^postgres(ql)?:\/\//i.test(url.trim())) return undefined;
  try {
    const parsed = new URL(url.trim());
    const user = decodeURIComponent(parsed.username);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    const host = parsed.hostname || 'localhost';
    return `${user ? `${user}@` : ''}${host}:${parsed.port || '5432'}${database ? `/${database}` : ''}`;
  } catch {
    return undefined;
  }
}

/** Editor settings name a severity per rule (`"seq-scan-large-table": "error"`); the file's rule options stay. */
function mergeRuleSettings(base: Record<string, RuleSetting>, overrides: Record<string, string> | undefined, log: (m: string) => void): Record<string, RuleSetting> {
  const merged: Record<string, RuleSetting> = {};
  for (const [id, value] of Object.entries(overrides ?? {})) {
    const severity = typeof value === 'string' ? parseSeverity(value) : undefined;
    if (!severity) {
      log(`pglens.rules.${id}: unknown severity ${JSON.stringify(value)} (use error, warning, info, hint or off)`);
      continue;
    }
    merged[id] = { ...base[id], severity };
  }
  return merged;
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function sameFile(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

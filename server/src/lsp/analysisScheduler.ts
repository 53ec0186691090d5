// When documents are analysed. Each document waits for a quiet period after its last change (debounce, 250 ms by
// default), then runs once; a change cancels the analysis in flight for the older version (its EXPLAINs included,
// through the AbortSignal), and a result is only ever published for the version the editor holds now. Unchanged
// statements come from the engine's plan cache, so a re-analysis after an edit only plans what changed.

import * as path from 'node:path';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../engine/analyze';
import { uriToPath, type FolderContext, type WorkspaceFolders } from './workspaceFolders';

export interface AnalysisResult {
  uri: string;
  version: number;
  analysis: FileAnalysis;
  folder: FolderContext;
  /** Milliseconds the analysis itself took (after the debounce). */
  durationMs: number;
}

export interface SchedulerOptions {
  document(uri: string): TextDocument | undefined;
  folders: WorkspaceFolders;
  debounceMs(uri: string): number;
  /** Called once per analysed version that is still current. */
  onResult(result: AnalysisResult): void;
  log(message: string): void;
}

interface Waiter {
  version: number;
  resolve(result: AnalysisResult | undefined): void;
}

interface DocumentState {
  timer?: NodeJS.Timeout;
  controller?: AbortController;
  /** Version being analysed now, if any. */
  runningVersion?: number;
  latest?: AnalysisResult;
  /** `latest` was published before its advice: hover may use it, callers of current() wait for the complete one. */
  latestAwaitsAdvice?: boolean;
  waiters: Waiter[];
}

const LANGUAGE_EXTENSIONS: Record<string, string> = {
  sql: '.sql',
  typescript: '.ts',
  typescriptreact: '.tsx',
  javascript: '.js',
  javascriptreact: '.jsx',
};

/** The path the engine sees: the file's own for file:// URIs; a made-up name with the language's extension otherwise. */
export function analysisPathOf(document: TextDocument): string {
  const file = uriToPath(document.uri);
  if (file) return file;
  const extension = LANGUAGE_EXTENSIONS[document.languageId] ?? '.sql';
  const name = document.uri.replace(/[^\w.-]+/g, '_');
  return path.join(process.cwd(), path.extname(name) ? name : `${name}${extension}`);
}

export class AnalysisScheduler {
  private readonly states = new Map<string, DocumentState>();

  constructor(private readonly options: SchedulerOptions) {}

  /** A document was opened or changed: cancel what runs for an older version and analyse after the debounce. */
  schedule(uri: string, immediate = false): void {
    const state = this.stateOf(uri);
    clearTimeout(state.timer);
    state.timer = undefined;
    // The running analysis is for an older version: its result could never be published, so stop it now.
    state.controller?.abort();
    const delay = immediate ? 0 : this.options.debounceMs(uri);
    if (delay <= 0) {
      void this.run(uri);
      return;
    }
    state.timer = setTimeout(() => {
      state.timer = undefined;
      void this.run(uri);
    }, delay);
  }

  /** Re-analyse every open document now (config reload, schema change). */
  scheduleAll(uris: Iterable<string>, filter: (uri: string) => boolean = () => true): void {
    for (const uri of uris) if (filter(uri)) this.schedule(uri, true);
  }

  close(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    clearTimeout(state.timer);
    state.controller?.abort();
    for (const waiter of state.waiters) waiter.resolve(undefined);
    this.states.delete(uri);
  }

  /** The newest published result, whatever its version (hover falls back on it while an edit is being analysed). */
  latest(uri: string): AnalysisResult | undefined {
    return this.states.get(uri)?.latest;
  }

  /**
   * The result for the document's current version. With `now`, an analysis only waiting for its debounce starts at
   * once (hover, code actions); without, the debounce is kept (pulled diagnostics). Resolves undefined when the
   * document closes first.
   */
  current(uri: string, now: boolean): Promise<AnalysisResult | undefined> {
    const document = this.options.document(uri);
    if (!document) return Promise.resolve(undefined);
    const state = this.stateOf(uri);
    if (state.latest && !state.latestAwaitsAdvice && state.latest.version === document.version && state.latest.folder === this.options.folders.loadedFolderFor(uri)) {
      return Promise.resolve(state.latest);
    }
    const promise = new Promise<AnalysisResult | undefined>((resolve) => state.waiters.push({ version: document.version, resolve }));
    const running = state.runningVersion === document.version;
    if (state.timer ? now : !running) this.schedule(uri, true);
    return promise;
  }

  private stateOf(uri: string): DocumentState {
    let state = this.states.get(uri);
    if (!state) {
      state = { waiters: [] };
      this.states.set(uri, state);
    }
    return state;
  }

  private async run(uri: string): Promise<void> {
    const document = this.options.document(uri);
    const state = this.states.get(uri);
    if (!document || !state) return;
    state.controller?.abort();
    const controller = new AbortController();
    state.controller = controller;
    const version = document.version;
    state.runningVersion = version;
    const started = performance.now();
    const stillCurrent = () => !controller.signal.aborted && this.states.get(uri) === state && this.options.document(uri)?.version === version;
    try {
      let result: AnalysisResult;
      try {
        const folder = await this.options.folders.folderFor(uri);
        if (controller.signal.aborted) return;
        const file = analysisPathOf(document);
        const excluded = uriToPath(uri) !== undefined && !folder.accepts(file);
        // New what-if planning is deferred: the diagnostics go out as soon as the plans are checked, and again with
        // the index suggestions once the advisor has them.
        const analysis: FileAnalysis = excluded
          ? { file, findings: [], statements: [], skipped: [] }
          : await folder.engine.analyzeFile(file, document.getText(), { signal: controller.signal, deferNewAdvice: true });
        result = { uri, version, analysis, folder, durationMs: performance.now() - started };
        if (analysis.withAdvice) {
          // Published only if nothing newer arrived meanwhile and the document is still open.
          if (!stillCurrent()) return;
          state.latest = result;
          state.latestAwaitsAdvice = true;
          this.options.onResult(result);
          result = { ...result, analysis: await analysis.withAdvice, durationMs: performance.now() - started };
        }
      } catch (error) {
        if (controller.signal.aborted || (error as Error).name === 'AbortError') return;
        this.options.log(`analysis of ${uri} failed: ${(error as Error).stack ?? error}`);
        this.release(state, version, undefined);
        return;
      }
      if (!stillCurrent()) return;
      // Hover and code actions waiting for this version get the complete result (quick fixes need the advice).
      state.latest = result;
      state.latestAwaitsAdvice = false;
      // Published before waiters hear of it: a response that says "complete" never overtakes the diagnostics.
      this.options.onResult(result);
      this.release(state, version, result);
    } finally {
      if (state.controller === controller) {
        state.controller = undefined;
        state.runningVersion = undefined;
        state.latestAwaitsAdvice = false;
      }
    }
  }

  private release(state: DocumentState, version: number, result: AnalysisResult | undefined): void {
    const waiting = state.waiters;
    state.waiters = [];
    for (const waiter of waiting) {
      if (waiter.version <= version) waiter.resolve(result);
      else state.waiters.push(waiter);
    }
  }
}

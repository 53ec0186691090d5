// The messages pglens adds to LSP, shared by the server and the VS Code client. Plain types and method names
// only: the client imports this file, so it must not pull in the engine (type-only imports of the engine's plain
// data types are erased from the client's bundle).

import type { PlanDiff, PlanView } from '../engine/plan/planView';

import type { ProductionNumbersState } from '../engine/snapshot/productionSource';

/** What a workspace folder plans against. */
export type DatabaseState =
  | { state: 'connected'; label: string; serverVersion: string; hypopg: boolean }
  /**
   * `schemaWarning`: the embedded database lacks most tables the code names (or was built from no schema files), one
   * line saying what was found, what failed and what to do; plan errors about missing tables are not reported meanwhile.
   */
  | { state: 'embedded'; label: string; serverVersion: string; note?: string; schemaWarning?: string }
  /** `label`: which database does not answer (`user@host:port/db`, no password), when pglens knows it. */
  | { state: 'disconnected'; reason: string; label?: string }
  /** No database configured (or an untrusted workspace): only rules that need no plan run. */
  | { state: 'static'; reason: string }
  | { state: 'starting' };

/** `production`: where the folder's production runtime numbers come from (snapshot, live mode), when it has any. */
export type FolderStatus = DatabaseState & { folder: string; name: string; configFile?: string; configError?: string; production?: ProductionNumbersState };
export type { ProductionNumbersState };

/** Server → client notification `pglens/status`: sent whenever a folder's database state or the finding count changes. */
export interface StatusParams {
  folders: FolderStatus[];
  /** Findings in the open documents, all folders together. */
  findingCount: number;
}
export const StatusNotification = 'pglens/status';

/** Client → server notification: the database password from the editor's secret storage (never in settings). */
export interface SetPasswordParams {
  password?: string;
}
export const SetPasswordNotification = 'pglens/setPassword';

/**
 * Client → server notification: the password of `production.url` (live mode) from the editor's secret storage; kept
 * in the server's memory only, put into the URL for each read, never written or logged.
 */
export const SetProductionPasswordNotification = 'pglens/setProductionPassword';

/** Client → server request: live mode reads production's numbers now (every folder with `production.url`); answers the folders' states. */
export const RefreshProductionRequest = 'pglens/refreshProduction';

/**
 * Client → server notification: the workspace's trust changed (VS Code Workspace Trust), or, while it is untrusted,
 * the user's own database URL did.
 */
export interface SetTrustParams {
  trusted: boolean;
  /** `pglens.database.url` from the user's settings only (never the workspace's): the one used while untrusted. */
  userDatabaseUrl?: string;
}
export const SetTrustNotification = 'pglens/setTrust';

/**
 * Client → server request: forget cached plans and schema facts, reconnect, and analyse every file pglens would
 * check (`pglens check`'s file list of each folder, plus the open documents). Findings of files that are not open
 * are published as diagnostics too (the Problems panel). Cancellable ($/cancelRequest); progress goes out as
 * `pglens/reanalyzeProgress`.
 */
export const ReanalyzeRequest = 'pglens/reanalyze';
export interface ReanalyzeResult {
  /** Open documents analysed. */
  documents: number;
  /** Files analysed in all, open or not. */
  files: number;
  findings: number;
  cancelled: boolean;
}
export interface ReanalyzeProgressParams {
  done: number;
  total: number;
  /** The file being analysed, relative to its folder. */
  file?: string;
}
export const ReanalyzeProgressNotification = 'pglens/reanalyzeProgress';

/** Client → server request: the plan of the statement at a position (estimates only, nothing executed). */
export interface StatementAtParams {
  uri: string;
  position: { line: number; character: number };
}
export interface ExplainResult {
  /** Markdown for people. */
  markdown?: string;
  statement?: string;
  error?: string;
}
export const ExplainRequest = 'pglens/explain';

/**
 * Client → server request `pglens/explainAnalyze`: runs EXPLAIN (ANALYZE, BUFFERS) inside a transaction that is
 * always rolled back, on a connection of its own. A statement that may do more than read (writes, volatile or
 * unknown functions, advisory locks, dblink) is only run with `confirmed: true`; without it the server answers
 * `needsConfirmation` naming what it may do, and the client asks the person first.
 */
export interface ExplainAnalyzeParams extends StatementAtParams {
  confirmed?: boolean;
  /**
   * With `confirmed`: the statement text the person confirmed (`statement` of the `needsConfirmation` answer). The
   * server runs the statement only when the one at `position` is still exactly that text, so an edit between the
   * question and the answer can never make an unconfirmed statement run; without it, `confirmed` counts for nothing.
   */
  confirmedStatement?: string;
  /**
   * Values for `$1..$n` of a statement with parameters, as text (PostgreSQL reads each with its type's input
   * function; numbers and booleans are taken as their text) or null for SQL NULL. They are bound as parameters,
   * never written into the SQL. Without them the server answers `needsValues`.
   */
  values?: (string | number | boolean | null)[];
  /** A shorter statement timeout for this run (ms); it can only lower the default (60 s, or the configured one if longer). */
  timeoutMs?: number;
}
/** One `$n` of a statement: the type PostgreSQL infers for it and, in JS/TS, the `${expression}` it was written as. */
export interface StatementParameter {
  /** n of $n. */
  index: number;
  /** PostgreSQL's name of the inferred type (`integer`, `timestamp with time zone`), or `unknown`. */
  type: string;
  /** The source expression, e.g. `${userId}`; absent for a `$n` written in the SQL itself. */
  source?: string;
  /** The value bound (in a result), null for SQL NULL. */
  value?: string | null;
}
export interface AnalyzedPlanNode {
  label: string;
  detail?: string;
  estimatedRows: number;
  actualRows?: number;
  loops?: number;
  /** Processes (parallel workers and the leader) that ran the node at the same time; absent outside a Gather. */
  processes?: number;
  /** Wall-clock time spent in the node itself, children excluded, all loops (ms); parallel processes not added up. */
  exclusiveTimeMs?: number;
  totalTimeMs?: number;
  slowest?: boolean;
  children: AnalyzedPlanNode[];
}
export interface ExplainAnalyzeResult {
  /** `reasons`: each thing executing the statement may do besides reading; `reason`: all of it as one text. */
  needsConfirmation?: { statementKind: string; reason: string; reasons: string[] };
  /**
   * The statement has parameters and no values were given: ask for them and send them as `values`. `fingerprint`
   * identifies the statement text (not its line), for remembering the values given at this site.
   */
  needsValues?: { parameters: StatementParameter[]; fingerprint: string };
  /** The parameters of the statement and the values bound, when it has any. */
  parameters?: StatementParameter[];
  statement?: string;
  root?: AnalyzedPlanNode;
  planningTimeMs?: number;
  executionTimeMs?: number;
  databaseLabel?: string;
  /** The plan as the plan view draws it (exclusive cost and time per node, costliest and slowest marked). */
  planView?: PlanView;
  markdown?: string;
  error?: string;
}
export const ExplainAnalyzeRequest = 'pglens/explainAnalyze';

/** Settings under the `pglens` section (workspace/configuration), also accepted in initializationOptions.settings. */
export interface PglensSettings {
  database?: { url?: string };
  /** Live mode: `pglens.production.url` (no password: that one is in secret storage) wins over pglens.json's. */
  production?: { url?: string; refreshSeconds?: number };
  configPath?: string;
  rules?: Record<string, string>;
  debounceMs?: number;
}

/** initializationOptions the server understands (all optional; other editors send none). */
export interface PglensInitializationOptions {
  settings?: PglensSettings;
  password?: string;
  /** The password of `production.url` (live mode), from the editor's secret storage. */
  productionPassword?: string;
  /**
   * Workspace Trust (default true: editors without it trust their workspaces). Untrusted: pglens.json `database.*`,
   * workspace settings and the environment do not choose the database; only `userDatabaseUrl` does, and no embedded
   * database is built from the repository's files. See docs/security.md.
   */
  trusted?: boolean;
  /** Older spelling of `trusted: false`. */
  untrusted?: boolean;
  /** `pglens.database.url` from the user's own settings, for an untrusted workspace. */
  userDatabaseUrl?: string;
  /** Build the embedded database from the schema when no database is configured (default true). */
  allowEmbedded?: boolean;
  /** Where the embedded database is cached (the extension passes its global storage). */
  cacheDir?: string;
}

/**
 * Client → server request `pglens/planView`: the plan of the statement at a position as data to draw (exclusive
 * cost per node, the costliest node; see engine plan/planView.ts). `kind: 'withIndex'`: the plan now and the plan with
 * the index a finding at the position suggests, compared (`ruleId` picks the finding where several overlap).
 */
export interface PlanViewParams extends StatementAtParams {
  kind?: 'estimated' | 'withIndex';
  ruleId?: string;
}
export interface PlanViewResult {
  title?: string;
  statement?: string;
  plan?: PlanView;
  diff?: PlanDiff & { beforeTitle: string; afterTitle: string; indexSql?: string };
  /** What qualifies the plan (generic, estimated, where it was planned), one sentence each. */
  notes?: string[];
  error?: string;
}
export const PlanViewRequest = 'pglens/planView';

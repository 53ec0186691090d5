// The plan baseline (`pglens baseline`, `pglens check --baseline FILE`): what every checked statement's plan looked
// like when the file was written, so a pull request can be judged by what it changes. The file is meant to be
// committed: its text depends only on the code, the schema and the planner (sorted, rounded, no timestamps), so two
// runs on the same commit write the same bytes and a diff in review shows plan changes, not noise.

import type { LockMode } from '../locks/lockModes';

/** Bumped when the shape of the file changes; a file of another version is refused with a message. */
export const BASELINE_FORMAT = 1;

/** One scan of a relation in a plan. */
export interface BaselineScan {
  relation: string;
  /** "Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", ... */
  node: string;
  /** The index the scan reads (a Bitmap Heap Scan: the index of its Bitmap Index Scan). */
  index?: string;
  /** Rows the table holds (pg_class.reltuples, rounded), when the database's schema facts know the table. */
  tableRows?: number;
}

/** A join, named by the relations it joins, so that a change of method is found whatever the plan around it. */
export interface BaselineJoin {
  method: string;
  /** Relations scanned under the join, sorted. */
  relations: string[];
  /** The larger of the estimated row counts of its two inputs (rounded). */
  inputRows: number;
}

export interface BaselinePlan {
  /** Total estimated cost of the statement, rounded to 3 significant digits. */
  cost: number;
  /** Estimated rows of the result, rounded to 3 significant digits. */
  rows: number;
  /** The plan tree, one line per node ("  Index Scan on orders using orders_pkey"), indented by depth. */
  shape: string[];
  scans: BaselineScan[];
  joins: BaselineJoin[];
}

export interface BaselineLock {
  table: string;
  mode: LockMode;
  tableRows?: number;
}

export interface BaselineStatement {
  /** file#name#fingerprint, plus #2, #3... for repeats: unique in the file, and what a later run matches first. */
  key: string;
  /** Path relative to the workspace root, with forward slashes. */
  file: string;
  /** The enclosing function, method or variable of a site in code ("OrderRepo.byCustomer"); none in a .sql file. */
  name?: string;
  /** The statement's parse tree without positions and constant values, hashed: the same query written differently still matches. */
  fingerprint: string;
  /** "SelectStmt", "UpdateStmt", ... */
  kind: string;
  /** The statement's first 160 characters on one line, for people reading the file and the report. */
  sql: string;
  plan?: BaselinePlan;
  /** Tables a migration statement locks, with the mode (strongest per table). */
  locks?: BaselineLock[];
  /** Rule ids of the findings the statement had: those are known, and do not fail a later check. */
  findings?: string[];
}

/** Where the plans came from: which kind of database, and the planner's version and settings. */
export interface BaselineDatabase {
  /** 'configured' (a server: --db, pglens.json, DATABASE_URL), 'embedded' (built from the schema), 'snapshot'. */
  kind: string;
  /** PostgreSQL's major version: plans of different majors are not compared without a warning. */
  serverMajor?: number;
  /** Planner settings that move plans (random_page_cost, work_mem, enable_*...), as the server reported them. */
  plannerSettings?: Record<string, string>;
}

export interface BaselineFile {
  pglensBaseline: number;
  database: BaselineDatabase | null;
  statements: BaselineStatement[];
}

/** A baseline file that cannot be used: one line for the user. */
export class BaselineFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineFileError';
  }
}

/** Three significant digits: estimates move a little with every ANALYZE sample; the file should not. */
export function roundEstimate(value: number): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  const magnitude = Math.pow(10, Math.floor(Math.log10(Math.abs(value))) - 2);
  const rounded = Math.round(value / magnitude) * magnitude;
  // Floating point: 0.1 * 3 is 0.30000000000000004.
  return Number(rounded.toPrecision(3));
}

/** The file's text: statements sorted by key, keys of every object in a fixed order, a newline at the end. */
export function serializeBaseline(baseline: BaselineFile): string {
  const statements = [...baseline.statements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return `${JSON.stringify({ ...baseline, statements: statements.map(orderedStatement) }, null, 2)}\n`;
}

function orderedStatement(s: BaselineStatement): BaselineStatement {
  return {
    key: s.key,
    file: s.file,
    ...(s.name !== undefined ? { name: s.name } : {}),
    fingerprint: s.fingerprint,
    kind: s.kind,
    sql: s.sql,
    ...(s.plan ? { plan: s.plan } : {}),
    ...(s.locks && s.locks.length > 0 ? { locks: s.locks } : {}),
    ...(s.findings && s.findings.length > 0 ? { findings: s.findings } : {}),
  };
}

/** Reads a baseline file's text; BaselineFileError when it is not one pglens wrote (or wrote in another format). */
export function parseBaseline(text: string, file: string): BaselineFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineFileError(`${file} is not JSON (${(error as Error).message})`);
  }
  const record = data as Partial<BaselineFile> | null;
  if (!record || typeof record !== 'object' || typeof record.pglensBaseline !== 'number') {
    throw new BaselineFileError(`${file} is not a pglens baseline (write one with "pglens baseline")`);
  }
  if (record.pglensBaseline !== BASELINE_FORMAT) {
    throw new BaselineFileError(`${file} is a baseline of format ${record.pglensBaseline}; this pglens reads format ${BASELINE_FORMAT} (write it again with "pglens baseline")`);
  }
  if (!Array.isArray(record.statements) || record.statements.some((s) => !s || typeof s.key !== 'string' || typeof s.file !== 'string' || typeof s.fingerprint !== 'string')) {
    throw new BaselineFileError(`${file}: "statements" must be a list of statements with key, file and fingerprint`);
  }
  return { pglensBaseline: record.pglensBaseline, database: record.database ?? null, statements: record.statements };
}

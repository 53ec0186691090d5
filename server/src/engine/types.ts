// Plain data shared by every part of the engine. Nothing here knows about LSP, VS Code or a terminal:
// the language server turns a Finding into a Diagnostic, the CLI into text, JSON or SARIF.

/** Zero-based line and UTF-16 code-unit column, the coordinates LSP and VS Code use. */
export interface SourcePosition {
  line: number;
  character: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

/** How the SQL was found in its file. */
export type SqlSiteOrigin =
  | 'sql-file' // a statement of a .sql file
  | 'tagged-template' // sql`...`, Prisma.sql`...`, prisma.$queryRaw`...`
  | 'call-argument' // pool.query('...'), db.execute(`...`)
  | 'marked-literal'; // /* sql */ `...` or /* sql */ '...'

/**
 * One stretch of the SQL text copied verbatim from the file. The SQL text of a site is made of such
 * stretches with `$n` placeholders between them; offsets are UTF-16 code units in the SQL text and in the file.
 */
export interface SourceSegment {
  sqlStart: number;
  fileStart: number;
  length: number;
  /**
   * Set when the stretch is one escape sequence of a JS string (`\n`, `\u00e9`, a CRLF inside a template):
   * `length` characters of SQL stand for `fileLength` characters in the file, and all of them map to its start.
   */
  fileLength?: number;
}

/** A `${expr}` of a template that became the parameter `$n` in the SQL text. */
export interface TemplateParameter {
  index: number; // n of $n
  sqlStart: number;
  sqlLength: number; // length of "$n" in the SQL text
  fileStart: number; // the `${` in the file
  fileEnd: number; // after the closing `}`
  expressionText: string;
}

/** A piece of SQL found in a file, with what it takes to map any offset of it back to the file. */
export interface SqlSite {
  file: string;
  origin: SqlSiteOrigin;
  /** The SQL as PostgreSQL will see it: template expressions replaced by $1, $2, ... */
  text: string;
  /** Stretches copied verbatim from the file, in order; text outside them was synthesised. */
  segments: SourceSegment[];
  parameters: TemplateParameter[];
  /** Number of distinct $n parameters in `text` (template ones and any written as $n). */
  parameterCount: number;
  /** Offsets in the file of the whole site (the literal or template, without the quotes). */
  fileStart: number;
  fileEnd: number;
  /** The tag or callee as written, e.g. "sql", "prisma.$queryRaw", "pool.query". */
  via?: string;
  /**
   * Constants inlined by name (`${where}` with `const where = sql`...`` elsewhere in the file): the SQL they
   * gave and where the name is written, so a range reaching out of one maps to the name, not across the file.
   */
  inlinedConstants?: InlinedConstant[];
  /**
   * True when some SQL text of the site came from somewhere other than the literal itself plus `$n` for values:
   * inlined constants or fragments, identifiers inlined from literal types, list expansions, a chosen branch of a
   * conditional fragment. Such a site that fails to parse is never a syntax-error finding (pglens assembled it).
   */
  assembled?: boolean;
  /**
   * For conditional fragments: which branch combination this site text is, e.g. "with `cursor` set". Findings
   * of the site say it, and identical findings across the variants of one site are reported once.
   */
  variant?: string;
  /** Set when the site is known to talk to a database other than PostgreSQL (e.g. "mysql"); it is not parsed. */
  database?: string;
  /**
   * The client that pastes the values into the text before PostgreSQL reads it ("pg-promise", "pg-format"): its `$n`
   * stand for literals, whose type PostgreSQL takes from where they stand, not for typed parameters.
   */
  valuesPastedBy?: string;
  /**
   * Tables a query builder's schema API created earlier in the file (`db.schema.createTable('report')`, see
   * find/builderTables.ts), as `schema.name` or `name`: new and empty for the lock rules, as if a CREATE TABLE made them.
   */
  tablesCreatedBefore?: string[];
}

export interface InlinedConstant {
  sqlStart: number;
  sqlEnd: number;
  /** The reference in the file: `${where}` or `WHERE_CLAUSE` in a `+` chain. */
  fileStart: number;
  fileEnd: number;
}

/** A site that looked like SQL but cannot be known statically; only reported with --verbose. */
export interface SkippedSite {
  file: string;
  fileStart: number;
  fileEnd: number;
  reason: string;
  /** The expression pglens could not know (e.g. `${buildWhere()}`), as written; shown with --verbose and in JSON. */
  expression?: string;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint' | 'off';
export type RuleCategory = 'performance' | 'locking' | 'syntax' | 'correctness';

/** A text edit in a file, by UTF-16 offsets, applied as a quick fix. */
export interface FileEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
}

/** A suggested fix: edits in existing files and/or a new file (e.g. a migration), plus SQL to copy. */
export interface SuggestedFix {
  title: string;
  /** SQL a person could run or paste (CREATE INDEX ..., the rewritten statement). */
  sql?: string;
  edits?: FileEdit[];
  newFile?: { path: string; content: string };
  /** Whether the benefit was proven by what-if planning. */
  verified?: boolean;
}

/**
 * What a detail line of a finding is: `evidence` (the numbers and facts behind the headline), `plan` (a plan excerpt),
 * `suggestion` (what to do), `advice` (what the index advisor proved or could not), `note` (how the estimate was made).
 */
export type FindingDetailKind = 'evidence' | 'plan' | 'suggestion' | 'advice' | 'note';

export interface FindingDetail {
  kind: FindingDetailKind;
  /** One or more whole sentences; never repeats the headline. */
  text: string;
}

export interface Finding {
  ruleId: string;
  severity: Exclude<Severity, 'off'>;
  category: RuleCategory;
  /**
   * What and where, numbers included, in at most ~120 characters (ESLint-length): the diagnostic message of the
   * editor, the line of the terminal output, SARIF's message.text.
   */
  headline: string;
  /** Which of its rule's `meta.messages` the headline was filled from (ESLint's messageId): stable across wording changes. */
  messageId?: string;
  /** The rest, each a separate field: evidence, suggestion, advisor result. Shown with --verbose, in JSON and hover. */
  details?: FindingDetail[];
  /**
   * The headline and the details as one text (`findingMessage` in findingText.ts), kept for consumers written before the headline
   * existed; new code reads `headline` and `details`.
   */
  message: string;
  file: string;
  range: SourceRange;
  /** Offsets in the file, kept for edits and for sorting. */
  fileStart: number;
  fileEnd: number;
  docsUrl?: string;
  /** Numbers behind the message (rows, cost, lock mode ...), machine readable. */
  evidence?: Record<string, unknown>;
  fixes?: SuggestedFix[];
  /** e.g. "generic plan", "embedded database, synthetic data: invoices 1M rows" */
  notes?: string[];
  /** With production's runtime numbers (snapshot or live mode): the statement's share of DB time, "prod 21% of DB time". */
  productionImpact?: { shareOfTime: number; label: string };
}

// What a rule is. One rule per file (the ESLint and Squawk shape): the file exports a Rule whose meta names it,
// its docs page is docs/rules/<id>.md and its tests test/rules/<id>.test.ts.

import type { ParsedStatement } from '../parse/parse';
import type { ExplainedPlan } from '../plan/model';
import type { SchemaFacts } from '../db/schemaFacts';
import type { FindingDetail, RuleCategory, Severity, SuggestedFix } from '../types';
import { HEADLINE_MAX_LENGTH } from '../findingText';

/** Where rule docs are published; the language server and SARIF link each finding to `${DOCS_BASE_URL}/<id>.md`. */
export const DOCS_BASE_URL = 'https://github.com/pglens/pglens/blob/main/docs/rules';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}/${ruleId}.md`;
}

export type RuleOptionValue = number | string | boolean;

/**
 * One option of a rule, as a team sets it in pglens.json under rules.<id>.options (ESLint's meta.schema): the config
 * is validated against it (config.ts) and pglens.schema.json is generated from it (scripts/generateConfigSchema.ts).
 */
export interface RuleOptionSchema {
  type: 'integer' | 'number' | 'string' | 'boolean';
  default: RuleOptionValue;
  /** One sentence for people: what it changes. */
  description: string;
  minimum?: number;
  maximum?: number;
  /** For strings: a regular expression the value must match, and what it looks like in words. */
  pattern?: string;
  patternDescription?: string;
}

export interface RuleMeta {
  /** kebab-case, also the file name of the rule, its docs page and its test. */
  id: string;
  /** One sentence for people: what it finds. */
  description: string;
  defaultSeverity: Exclude<Severity, 'off'>;
  category: RuleCategory;
  /**
   * 'plan': needs the statement's EXPLAIN plan (so a database).
   * 'statement': works on the parse tree alone; schema facts make it better when a database is connected.
   */
  kind: 'plan' | 'statement';
  /** Thresholds a team can change in pglens.json under rules.<id>.options, with their types, ranges and defaults. */
  options?: Record<string, RuleOptionSchema>;
  /**
   * Defaults of options declared without a schema (older rules): each is read as a number of 0 or more, a string or a
   * boolean like its default. New rules declare `options`.
   */
  defaultOptions?: Record<string, RuleOptionValue>;
  /**
   * Its headlines by message id, as ESLint's meta.messages: templates with named placeholders
   * (`'Sorts ~{{rows}} rows of {{table}} by {{keys}}'`) that a report fills with `data`. Every report names one of
   * them (checked when it is made: findingText.ts fillMessageTemplate), and docs/rules/<id>.md lists them.
   */
  messages: Record<string, string>;
  /** Its findings can carry fixes (edits or SQL), like ESLint's meta.fixable. */
  fixable?: boolean;
  /** Its findings are handed to the index advisor (what-if planning), which may add an index suggestion. */
  asksAdvisor?: boolean;
}

/** A message id: a camelCase word, as ESLint's (`sortsRows`, `withCascade`). */
const MESSAGE_ID = /^[a-z][A-Za-z0-9]*$/;

/**
 * What is wrong with a rule's declared messages: none declared, an id that is not a camelCase word, an empty template,
 * braces that are not a `{{name}}` placeholder, or a template longer than the headline limit before any data is in.
 */
export function ruleMetaProblems(meta: RuleMeta): string[] {
  const problems: string[] = [];
  const messages = Object.entries(meta.messages ?? {});
  if (messages.length === 0) problems.push(`${meta.id}: declares no messages`);
  for (const [id, template] of messages) {
    if (!MESSAGE_ID.test(id)) problems.push(`${meta.id}: message id '${id}' is not a camelCase word`);
    if (template.trim() === '') problems.push(`${meta.id}.${id}: an empty template`);
    const outside = template.replace(/\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g, '');
    if (/\{\{|\}\}/.test(outside)) problems.push(`${meta.id}.${id}: braces that are not a {{name}} placeholder`);
    if (outside.length > HEADLINE_MAX_LENGTH) problems.push(`${meta.id}.${id}: ${outside.length} characters before any data is filled in`);
  }
  return problems;
}

/** Every option of a rule with its schema: the declared ones, and those of `defaultOptions` typed by their default. */
export function ruleOptionSchemas(meta: RuleMeta): Record<string, RuleOptionSchema> {
  const schemas: Record<string, RuleOptionSchema> = {};
  for (const [name, value] of Object.entries(meta.defaultOptions ?? {})) {
    schemas[name] =
      typeof value === 'number'
        ? { type: Number.isInteger(value) ? 'integer' : 'number', minimum: 0, default: value, description: `Threshold of ${meta.id}.` }
        : { type: typeof value as 'string' | 'boolean', default: value, description: `Setting of ${meta.id}.` };
  }
  return { ...schemas, ...(meta.options ?? {}) };
}

/** The default of every option of a rule (what `context.options` holds when the config sets none). */
export function ruleDefaultOptions(meta: RuleMeta): Record<string, RuleOptionValue> {
  return Object.fromEntries(Object.entries(ruleOptionSchemas(meta)).map(([name, schema]) => [name, schema.default]));
}

/**
 * How the tool that runs a migration sends it: 'yes' wraps the file in BEGIN ... COMMIT; 'implicit-multi' sends the
 * file as one query of several statements (PostgreSQL runs them in one implicit transaction block); 'no' runs each
 * statement alone; 'unknown' is a runner pglens does not know (a plain folder).
 */
export type MigrationTransaction = 'yes' | 'no' | 'implicit-multi' | 'unknown';

/** What is known about the file a statement sits in, for lock rules. */
export interface MigrationContext {
  /** The file is a migration (config globs or a known layout). */
  isMigration: boolean;
  /** The migration certainly runs inside one transaction block: `transaction` is 'yes' or 'implicit-multi'. */
  inTransaction: boolean;
  /** How its tool runs it (see locks/migrations.ts); left out, `inTransaction` says 'yes' or 'no'. */
  transaction?: MigrationTransaction;
  /** Why `transaction` is what it is, in words for messages ("Prisma sends the file as one query, ..."). */
  transactionReason?: string;
}

/**
 * A rule reports by message id, as ESLint's context.report({ messageId, data }): the headline is its template of
 * `meta.messages` with `data` filled in (what and where, numbers in, <= HEADLINE_MAX_LENGTH characters); `details`
 * (evidence, suggestion) are separate sentences under it.
 */
export interface RuleReport {
  /** Which of the rule's `meta.messages` is the headline; `data` fills its `{{placeholders}}`. */
  messageId: string;
  data?: Record<string, string | number | undefined>;
  /** Evidence, plan excerpt, suggestion: whole sentences, each a separate field, none repeating the headline. */
  details?: FindingDetail[];
  /**
   * A lower severity than the rule's for this report (an info where a migration's runner is unknown, a warning where
   * an error's size rests on generated rows); the engine takes the lower of this and the configured one.
   */
  severity?: 'warning' | 'info' | 'hint';
  /** UTF-16 offsets into statement.site.text; the whole statement when left out. */
  start?: number;
  end?: number;
  evidence?: Record<string, unknown>;
  fixes?: SuggestedFix[];
}

export interface RuleContext {
  statement: ParsedStatement;
  /** The plan, for 'plan' rules (they are only run when there is one). */
  plan?: ExplainedPlan;
  /** Table sizes, indexes, columns: present when a database (real or embedded) is connected. */
  schema?: SchemaFacts;
  /** Target server version (server_version_num), from the database or the config. */
  serverVersionNum?: number;
  migration?: MigrationContext;
  /** Statements earlier in the same file, in order (e.g. tables created earlier in the same migration). */
  previousStatements: ParsedStatement[];
  /** The defaults of the rule's options (ruleDefaultOptions) merged with the team's configuration. */
  options: Record<string, RuleOptionValue>;
  report(report: RuleReport): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void;
}
